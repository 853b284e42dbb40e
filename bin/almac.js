#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the `prepare` script);
// dist/cli/launch.js runs it from the one-file bundle dist/almac.cjs when that is up to date.
import { launch } from '../dist/cli/launch.js';
launch(process.argv.slice(2)).then((code) => { process.exitCode = code; });
