// How bin/almac.js starts the CLI: from the one-file bundle dist/almac.cjs (scripts/bundle.mjs)
// with V8's code cache, or from dist/cli/main.js when there is no up-to-date bundle.
//
// The bundle is used only while every module it was built from is unchanged (listed on its first
// line with its size, modification time and digest; a file whose time differs, as after a copy, is
// compared by digest): after an edit and a bare `tsc`, almac runs the new dist/ modules, never old
// code.
//
// The code cache holds V8's compiled code of the bundle, as left by an earlier run of the same verb,
// so that the next run neither parses nor compiles what it already ran. It lives in the user's
// cache directory ($XDG_CACHE_HOME/almac/code-cache, else ~/.cache/almac/code-cache), one file per verb, named by a digest
// of the bundle's text and Node's version and architecture: another build or another Node never
// reads it (and V8 itself rejects cached data made with other flags). Best effort throughout: an
// unwritable or missing cache directory only means compiling as usual. `generate` and `check`
// answer most runs from the clean memo without loading the compiler; a run that did load it keeps
// its own cache file (`-compiler`), so a memo hit never leaves the cold path uncached.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

type MainModule = typeof import('./main.js');

const BUNDLE = fileURLToPath(new URL('../almac.cjs', import.meta.url));
const INPUTS_LINE = '// almac-bundle-inputs ';
/** Cache files of other builds are removed when older than this (they are rewritten on use). */
const STALE_CACHE_MS = 7 * 24 * 3600 * 1000;

/** The bundle's text, if it exists and all its inputs are as they were when it was built. */
export function freshBundle(file = BUNDLE): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (!text.startsWith(INPUTS_LINE)) return undefined;
  let inputs: [string, number, number, string][];
  try {
    inputs = JSON.parse(text.slice(INPUTS_LINE.length, text.indexOf('\n'))) as [string, number, number, string][];
  } catch {
    return undefined;
  }
  const dir = dirname(file);
  for (const [rel, size, mtimeMs, digest] of inputs) {
    const path = join(dir, rel);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st || st.size !== size) return undefined;
    // Copies keep times to the millisecond at best; a rebuild writes a new time.
    if (Math.abs(Math.trunc(st.mtimeMs) - mtimeMs) <= 1) continue;
    try {
      if (createHash('sha1').update(readFileSync(path)).digest('hex') !== digest) return undefined;
    } catch {
      return undefined;
    }
  }
  return text;
}

function cacheDir(): string | undefined {
  const xdg = process.env['XDG_CACHE_HOME'];
  if (xdg && xdg.startsWith('/')) return join(xdg, 'almac', 'code-cache');
  try {
    const home = homedir();
    return home ? join(home, '.cache', 'almac', 'code-cache') : undefined;
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
    const tmp = join(dir, `${name}.${process.pid}.tmp`);
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, join(dir, name));
    const now = Date.now();
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith(keep) || !/\.v8(\.\d+\.tmp)?$/.test(entry)) continue;
      const p = join(dir, entry);
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
  if (source === undefined) return (await import('./main.js')).main(argv);

  const dir = cacheDir();
  const key = createHash('sha1').update(`${process.version}\0${process.arch}\0`).update(source).digest('hex').slice(0, 20);
  const verb = /^[a-z][a-z-]*$/.test(argv[0] ?? '') ? argv[0]! : 'other';
  const names = { compiler: `${key}-${verb}-compiler.v8`, plain: `${key}-${verb}.v8` };
  let used: keyof typeof names | undefined;
  let cachedData: Buffer | undefined;
  if (dir) {
    for (const which of ['compiler', 'plain'] as const) {
      cachedData = readCache(join(dir, names[which]));
      if (cachedData) {
        used = which;
        break;
      }
    }
  }
  // The bundle's `import()`s of external ES modules (yargs) come here (see scripts/bundle.mjs).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __almacImport) {${source}\n})`, { filename: BUNDLE, cachedData });
  if (script.cachedDataRejected) used = undefined;
  const module = { exports: {} as MainModule };
  const importExternal = (specifier: string) => import(specifier);
  (script.runInThisContext() as (...a: unknown[]) => void).call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE), importExternal);
  const cli = module.exports;
  const code = await cli.main(argv);
  const ran = cli.usedParts.has('compiler') ? 'compiler' : 'plain';
  if (dir && used !== 'compiler' && used !== ran) writeCache(dir, names[ran], script.createCachedData(), key);
  return code;
}
