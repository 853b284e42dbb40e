// How bin/almac.js starts the CLI: from the one-file bundle dist/almac.cjs (scripts/bundle.mjs)
// with V8's code cache, or from dist/cli/main.js when there is no up-to-date bundle.
//
// This module is CommonJS (a .cts file, compiled to dist/cli/launch.cjs), as is bin/almac.js: Node
// starts a CommonJS entry without setting up its ES-module loader, which is a measurable part of
// every run of a short command. The ES modules of dist/ are still reached by `import()`.
//
// The bundle is used only while every module it was built from is unchanged (listed on its first
// line with its size, modification time and digest; a file whose time differs, as after a copy, is
// compared by digest): after an edit and a bare `tsc`, almac runs the new dist/ modules, never old
// code.
//
// The code cache holds V8's compiled code of the bundle, as left by an earlier run of the same verb,
// so that the next run neither parses nor compiles what it already ran. It lives in the user's
// cache directory ($XDG_CACHE_HOME/almac/code-cache, else ~/.cache/almac/code-cache), one file per
// verb, named by the bundle's identity and Node's version and architecture: another build or another
// Node never reads it (and V8 itself rejects cached data made with other flags). The identity is the
// digest of the bundle's code that scripts/bundle.mjs writes on its second line, with the bundle
// file's size and modification time (so that even a hand edit of the bundle gets a cache of its
// own); nothing is hashed at start-up. Best effort throughout: an unwritable or missing cache
// directory only means compiling as usual. `generate` and `check` answer most runs from the clean
// memo without loading the compiler; a run that did load it keeps its own cache file (`-compiler`),
// so a memo hit never leaves the cold path uncached.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import vm from 'node:vm';

type MainModule = typeof import('./main.js');

const BUNDLE = join(__dirname, '..', 'almac.cjs');
const INPUTS_LINE = '// almac-bundle-inputs ';
const DIGEST_LINE = '// almac-bundle-digest ';
/** Cache files of other builds are removed when older than this (they are rewritten on use). */
const STALE_CACHE_MS = 7 * 24 * 3600 * 1000;
/**
 * Commands that usually end within a fraction of a second: they run with V8's optimizing tier off
 * unless they compile a large project (see src/util/tiering.ts). The others (the language server,
 * builds, publishing, network lookups) run long enough for the optimizing compiler to pay.
 */
const SHORT_RUN_VERBS = new Set(['check', 'generate', 'print', 'list', 'fmt', 'diff', 'explain']);
const SHORT_RUN_FLAGS = '--no-turbofan';
/**
 * Node's own modules that these commands load, loaded before the flags change: Node compiles its
 * modules from a code cache of their own, which V8 accepts only under the default flags (node:crypto
 * would take twice as long to load). `check` and `generate` digest trees for the clean memo.
 */
const LOAD_BEFORE_FLAGS: Record<string, string[]> = { check: ['node:crypto'], generate: ['node:crypto'] };

/** The directory part of a path as the bundle names them ("/" separated). */
const dirOf = (file: string) => file.slice(0, Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')));

/** sha1 of a file's bytes: only for inputs whose time differs from the recorded one (a copy). */
function sha1(bytes: Buffer): string {
  // Loaded on demand: node:crypto costs more to load than the rest of this module.
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha1').update(bytes).digest('hex');
}

/**
 * The bundle's text, if it exists, is of this build's format (an inputs line, a digest line, then
 * one function expression), and all its inputs are as they were when it was built.
 */
export function freshBundle(file = BUNDLE): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (!text.startsWith(INPUTS_LINE) || !text.startsWith(DIGEST_LINE, text.indexOf('\n') + 1)) return undefined;
  let inputs: [string, number, number, string][];
  try {
    inputs = JSON.parse(text.slice(INPUTS_LINE.length, text.indexOf('\n'))) as [string, number, number, string][];
  } catch {
    return undefined;
  }
  // Inputs are named relative to the bundle's directory, "/" separated; the paths are given to the
  // system as they are (path.join's normalising, for each of about 200 inputs, cost more than the
  // stat calls).
  const dir = dirOf(file);
  for (const [rel, size, mtimeMs, digest] of inputs) {
    const path = `${dir}/${rel}`;
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st || st.size !== size) return undefined;
    // Copies keep times to the millisecond at best; a rebuild writes a new time.
    if (Math.abs(Math.trunc(st.mtimeMs) - mtimeMs) <= 1) continue;
    try {
      if (sha1(readFileSync(path)) !== digest) return undefined;
    } catch {
      return undefined;
    }
  }
  return text;
}

/** 32-bit FNV-1a of a short string, as 8 hex digits. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * The name under which this bundle's code cache is kept, for this Node: 20 hex digits, from the
 * digest line (the code's sha1, written by scripts/bundle.mjs), the bundle file's size and time,
 * and Node's version and architecture. Undefined for a bundle without a digest line.
 */
export function cacheKey(text: string, st: Pick<Stats, 'size' | 'mtimeMs'>): string | undefined {
  const start = text.indexOf('\n') + 1;
  if (!text.startsWith(DIGEST_LINE, start)) return undefined;
  const digest = text.slice(start + DIGEST_LINE.length, start + DIGEST_LINE.length + 40);
  if (!/^[0-9a-f]{40}$/.test(digest)) return undefined;
  return digest.slice(0, 12) + fnv1a(`${digest}\0${st.size}\0${st.mtimeMs}\0${process.version}\0${process.arch}`);
}

function cacheDir(): string | undefined {
  const xdg = process.env['XDG_CACHE_HOME'];
  if (xdg && xdg.startsWith('/')) return `${xdg}/almac/code-cache`;
  try {
    const home = homedir();
    return home ? `${home}/.cache/almac/code-cache` : undefined;
  } catch {
    return undefined;
  }
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(dir: string, name: string, data: Buffer, keep: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${dir}/${name}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, `${dir}/${name}`);
    const now = Date.now();
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith(keep) || !/\.v8(\.\d+\.tmp)?$/.test(entry)) continue;
      const p = `${dir}/${entry}`;
      const st = statSync(p, { throwIfNoEntry: false });
      if (st?.isFile() && now - st.mtimeMs > STALE_CACHE_MS) unlinkSync(p);
    }
  } catch {
    /* not cached: the next run compiles as usual */
  }
}

/** Runs `almac argv` and returns its exit code. */
export async function launch(argv: string[]): Promise<number> {
  const source = freshBundle();
  if (source === undefined) return ((await import('./main.js')) as MainModule).main(argv);

  const st = statSync(BUNDLE, { throwIfNoEntry: false });
  const key = st && cacheKey(source, st);
  const dir = key ? cacheDir() : undefined;
  const verb = /^[a-z][a-z-]*$/.test(argv[0] ?? '') ? argv[0]! : 'other';
  const names = { compiler: `${key}-${verb}-compiler.v8`, plain: `${key}-${verb}.v8` };
  let used: keyof typeof names | undefined;
  let cachedData: Buffer | undefined;
  if (dir) {
    for (const which of ['compiler', 'plain'] as const) {
      cachedData = readCache(`${dir}/${names[which]}`);
      if (cachedData) {
        used = which;
        break;
      }
    }
  }
  // Before the bundle is compiled: V8 accepts a code cache only under the flags it was made with.
  const shortRun = SHORT_RUN_VERBS.has(verb);
  if (shortRun) {
    for (const id of LOAD_BEFORE_FLAGS[verb] ?? []) require(id);
    setFlagsFromString(SHORT_RUN_FLAGS);
  }
  // The bundle is one function of the module's variables (see scripts/bundle.mjs); its `import()`s
  // of external ES modules (yargs) come to importExternal.
  const script = new vm.Script(source, { filename: BUNDLE, cachedData });
  if (script.cachedDataRejected) used = undefined;
  const module = { exports: {} as MainModule };
  const importExternal = (specifier: string) => import(specifier);
  (script.runInThisContext() as (...a: unknown[]) => void).call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, dirOf(BUNDLE), importExternal);
  const cli = module.exports;
  cli.runningFromBundle(); // checked by freshBundle: the clean memo may know this build by the bundle alone
  const code = await cli.main(argv);
  const ran = cli.usedParts.has('compiler') ? 'compiler' : 'plain';
  if (dir && key && used !== 'compiler' && used !== ran) {
    if (shortRun) setFlagsFromString(SHORT_RUN_FLAGS); // the compiler may have turned the optimizing tier on
    writeCache(dir, names[ran], script.createCachedData(), key);
  }
  return code;
}
