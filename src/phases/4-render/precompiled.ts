// Where the precompiled templates (dist/phases/4-render/templates.precompiled.cjs, written by
// scripts/build-templates.mjs) and the small Handlebars runtime that runs them come from.
//
// From dist/, both are loaded by require() on first use. In the one-file bundle, scripts/bundle.mjs
// puts a module of two static imports of the same files in this one's place, so that they are read
// and compiled with the rest of the bundle, and kept in its code cache, instead of being found,
// read and compiled by Node's module loader at every start.
import { createRequire } from 'node:module';
import type { PrecompiledTemplate } from './templates.js';

/** Written by scripts/build-templates.mjs next to this module's compiled form. */
export const PRECOMPILED_MODULE = './templates.precompiled.cjs';

// Handlebars is CommonJS; require() loads it synchronously, and only when a template is needed.
const require = createRequire(import.meta.url);

/** The precompiled templates by file name, or null when they were not built (tests run from src/, or only tsc was run). */
export function loadPrecompiled(): Record<string, PrecompiledTemplate> | null {
  try {
    return require(PRECOMPILED_MODULE) as Record<string, PrecompiledTemplate>;
  } catch {
    return null;
  }
}

/** The Handlebars runtime, which runs precompiled templates (without the template compiler). */
export function loadRuntime(): typeof import('handlebars') {
  return require('handlebars/dist/handlebars.runtime.min.js') as typeof import('handlebars');
}
