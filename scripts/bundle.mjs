#!/usr/bin/env node
// Build step after tsc: bundles the compiled CLI (dist/cli/main.js and everything it imports from
// dist/, chevrotain and diff) into one CommonJS function, dist/almac.cjs, which bin/almac.js runs
// through src/cli/launch.cts with V8's code cache.
//
// Why: loading ~90 ES modules one by one (resolve, read, compile, link each) was the largest single
// cost of a cold `almac check`; one script is read once, and its compiled code is cached.
//
// The bundle is the same code as dist/: each module of dist/ keeps its own `import.meta.url` (the
// URL of its file in dist/, so that it finds templates/, scripts/ and precompiled templates where
// it always did), and the modules reached by `await import()` are initialized only when imported,
// as before. Packages that locate files next to their own modules, or load optional dependencies,
// stay outside (external) and are loaded from node_modules as before.
//
// The first line of the bundle lists its inputs (the dist/ modules, and the package.json of each
// bundled package) with their sizes, modification times and digests; launch.cts uses the bundle only
// while all of them are unchanged (a bare `tsc` after an edit makes it fall back to dist/, never
// run old code). Output is deterministic for the same inputs.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const BUNDLE = join(DIST, 'almac.cjs');

/** Packages loaded at run time from node_modules instead of bundled (see the header). */
const EXTERNAL = [
  'yargs', // finds its locale files next to its own modules
  '@cyclonedx/cyclonedx-library', // optional dependencies resolved at run time
  'ajv',
  'ajv-formats',
  'ajv-formats-draft2019',
  'fast-xml-parser',
  'vscode-languageserver',
  'vscode-languageserver/*',
  'vscode-languageserver-textdocument',
];

/**
 * Modules that find files at run time, replaced in the bundle by static imports of the same files:
 * dist/phases/1-parse/chevrotain.js finds chevrotain's single-file build; precompiled.js loads the
 * precompiled templates (written by build-templates.mjs before this script runs) and the Handlebars
 * runtime.
 */
const REPLACED = new Map([
  ['phases/1-parse/chevrotain.js', "export { createToken, Lexer, EmbeddedActionsParser, EOF } from 'chevrotain';\n"],
  [
    'phases/4-render/precompiled.js',
    [
      "import precompiled from './templates.precompiled.cjs';",
      "import runtime from 'handlebars/dist/handlebars.runtime.min.js';",
      "export const PRECOMPILED_MODULE = './templates.precompiled.cjs';",
      'export const loadPrecompiled = () => precompiled;',
      'export const loadRuntime = () => runtime;',
      '',
    ].join('\n'),
  ],
]);

const posix = (p) => p.split('\\').join('/');

/**
 * Start-up costs of bundled packages, mended in the bundle's copy. Each edit must find its text
 * exactly once (else the build fails, as after an upgrade that changed the code: look again), and
 * must compute exactly what the original computes.
 *
 * chevrotain's lexer fills a table of 65,536 numbers the first time a lexer is built (about 2 ms of
 * every short run: its own comment calls it a compromise and suggests doing it lazily); the table
 * holds `i > 255 ? 255 + ~~(i / 255) : i` for every UTF-16 code unit i, so the lookup can compute
 * the same value instead (and, like the table, gives undefined beyond it).
 */
const PATCHES = [
  {
    file: 'node_modules/chevrotain/lib/src/scan/lexer.js',
    edits: [
      [
        '        : charCodeToOptimizedIdxMap[charCode];',
        '        : charCode < 65536 ? 255 + ~~(charCode / 255) : undefined;',
      ],
      ['    if (isEmpty(charCodeToOptimizedIdxMap)) {', '    if (false) {'],
    ],
  },
];

const patchedPackages = {
  name: 'almac-patches',
  setup(build) {
    for (const patch of PATCHES) {
      const target = join(ROOT, patch.file);
      build.onLoad({ filter: new RegExp(`${patch.file.split('/').pop().replace('.', '\\.')}$`) }, (args) => {
        if (args.path !== target) return undefined;
        let text = readFileSync(args.path, 'utf8');
        for (const [from, to] of patch.edits) {
          if (text.split(from).length !== 2) throw new Error(`bundle.mjs: ${patch.file} no longer holds ${JSON.stringify(from)} exactly once`);
          text = text.replace(from, to);
        }
        return { contents: text, loader: 'js', resolveDir: dirname(args.path) };
      });
    }
  },
};

const distModules = {
  name: 'almac-dist',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      const rel = posix(relative(DIST, args.path));
      if (rel.startsWith('..')) return undefined;
      const text = REPLACED.get(rel) ?? readFileSync(args.path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', `__almacModuleUrl(${JSON.stringify(rel)})`), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const result = await esbuild.build({
  entryPoints: [join(DIST, 'cli', 'main.js')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  write: false,
  metafile: true,
  external: EXTERNAL,
  plugins: [distModules, patchedPackages],
  // Each dist module's own URL: the file it was bundled from, next to this bundle.
  banner: { js: `const __almacModuleUrl = (rel) => require('node:url').pathToFileURL(require('node:path').join(__dirname, rel)).href;` },
  // No comments or indentation: a smaller file to read, digest and compile, and ASCII only (a single
  // non-ASCII character in a comment made V8 hold the whole source as a two-byte string). Names are
  // kept, so stack traces still name functions.
  minifyWhitespace: true,
  charset: 'ascii',
  legalComments: 'none',
  logLevel: 'warning',
});

// What the bundle's freshness is judged by: each module of dist/ (rewritten by every tsc), and the
// package.json of each bundled package (rewritten by every install of another version).
const judged = new Set();
for (const p of Object.keys(result.metafile.inputs)) {
  const abs = join(ROOT, p);
  const pkg = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(posix(abs));
  judged.add(pkg ? join(pkg[1], 'package.json') : abs);
}
const inputs = [...judged].sort().map((p) => {
  const st = statSync(p);
  return [posix(relative(DIST, p)), st.size, Math.trunc(st.mtimeMs), createHash('sha1').update(readFileSync(p)).digest('hex')];
});
// `import()` of an external package (yargs, an ES module) is done by launch.cts on the bundle's
// behalf: code run by vm.Script from V8's code cache cannot import by itself.
let code = result.outputFiles[0].text;
const dynamicImports = [...code.matchAll(/(?<![\w$.])import\(([^)]*)\)/g)].map((m) => m[1]);
for (const spec of dynamicImports) {
  if (!EXTERNAL.includes(JSON.parse(spec))) throw new Error(`bundle.mjs: unexpected import(${spec}) left in the bundle`);
}
code = code.replace(/(?<![\w$.])import\(("[^"]*")\)/g, '__almacImport($1)');
// The code is written inside the function launch.cts calls with the module's variables (as Node's
// own CommonJS wrapper would), so that the launcher compiles the file's text as it is read, without
// making a second megabyte-long string.
code = `(function (exports, require, module, __filename, __dirname, __almacImport) {${code}\n})`;
// The second line is the digest of the code: launch.cts names the code cache by it, rather than
// hashing a megabyte of text at every start.
const codeDigest = createHash('sha1').update(code).digest('hex');
const text = `// almac-bundle-inputs ${JSON.stringify(inputs)}\n// almac-bundle-digest ${codeDigest}\n// Generated by scripts/bundle.mjs from dist/ - do not edit; run by src/cli/launch.cts.\n${code}`;
if (/[^\x00-\x7f]/.test(text)) throw new Error('bundle.mjs: the bundle is not ASCII');

let current;
try {
  current = readFileSync(BUNDLE, 'utf8');
} catch {
  current = undefined;
}
// Unchanged output is not rewritten, so that the clean memo still recognises this build.
if (current !== text) {
  writeFileSync(`${BUNDLE}.tmp`, text);
  renameSync(`${BUNDLE}.tmp`, BUNDLE);
}
process.stdout.write(`bundled ${Object.keys(result.metafile.inputs).length} modules into ${BUNDLE} (${(text.length / 1024).toFixed(0)} KB${current === text ? ', unchanged' : ''})\n`);
