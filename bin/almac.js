#!/usr/bin/env node
// Thin launcher, CommonJS (bin/package.json): the compiled CLI lives in dist/ (built by `npm ci`
// through the `prepare` script); dist/cli/launch.cjs runs it from the one-file bundle
// dist/almac.cjs when that is up to date.
'use strict';
const { launch } = require('../dist/cli/launch.cjs');
launch(process.argv.slice(2)).then((code) => { process.exitCode = code; });
