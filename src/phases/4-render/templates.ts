// The Handlebars templates of templates/*.hbs, compiled once per process.
//
// `npm run build` also precompiles them (scripts/build-templates.mjs) into
// dist/phases/4-render/templates.precompiled.cjs (loaded through precompiled.ts), which needs only
// the small Handlebars runtime instead of the full compiler: that saves some 25 ms at every start
// of almac. The precompiled module keeps the source each template was compiled from, and is used
// only while that source is still the template's text: after an edit to a template followed by a
// bare `tsc`, the template is compiled from its source, so a stale build can never render old text.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadPrecompiled, loadRuntime } from './precompiled.js';

export { PRECOMPILED_MODULE } from './precompiled.js';

export const TEMPLATE_DIR = new URL('../../../templates/', import.meta.url);
/**
 * HTML escaping off: every value was quoted for its target (shell, Containerfile) in code. No
 * `@index`/`@first` data frames (`data: false`): no template reads them, and making one for every
 * iteration of every `{{#each}}` is about a fifth of the time spent in the templates at 20,000 files.
 */
export const TEMPLATE_OPTIONS = { noEscape: true, strict: true, data: false, knownHelpers: { lines: true } } as const;

/**
 * `{{{lines xs}}}`: the lines of a list that is never empty (a header, a package list, a %post
 * body), one per line. The same text as an `{{#each}}` block, at a fraction of its cost per line: a
 * generated file has hundreds of lines, a project thousands of files.
 */
const TEMPLATE_HELPERS = {
  lines(xs: readonly string[]): string {
    if (!Array.isArray(xs) || xs.length === 0) throw new Error('internal error: {{lines}} of an empty or missing list');
    return xs.join('\n');
  },
};
export type Template = (view: unknown) => string;
export interface PrecompiledTemplate {
  source: string;
  /** Handlebars' template specification (the output of Handlebars.precompile, evaluated). */
  spec: Parameters<typeof import('handlebars').template>[0];
}

// The full Handlebars (with its template compiler) is needed only for a template that has no
// up-to-date precompiled form; it is CommonJS, and require() loads it synchronously.
const require = createRequire(import.meta.url);
const cache = new Map<string, Template>();

function fromPrecompiled(pre: PrecompiledTemplate): Template | undefined {
  try {
    return loadRuntime().template(pre.spec) as Template;
  } catch {
    return undefined; // e.g. built with another Handlebars version than the one installed now
  }
}

export function template(name: string): Template {
  let t = cache.get(name);
  if (!t) {
    const source = readFileSync(new URL(name, TEMPLATE_DIR), 'utf8');
    const pre = loadPrecompiled()?.[name];
    t = pre && pre.source === source ? fromPrecompiled(pre) : undefined;
    t ??= (require('handlebars') as typeof import('handlebars')).compile(source, TEMPLATE_OPTIONS) as Template;
    const render = t as (view: unknown, options: { helpers: typeof TEMPLATE_HELPERS }) => string;
    t = (view) => render(view, { helpers: TEMPLATE_HELPERS });
    cache.set(name, t);
  }
  return t;
}
