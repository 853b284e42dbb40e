// Which build of almac this process runs, as a digest: the compiler part of the clean memo's key
// (clean-memo.ts), and of the runner's.
//
// A build is the files it runs, named by their paths relative to the installation root and digested
// by size and times, not content: the change time, ctime, moves on every write and, unlike the
// modification time, cannot be set back by touch, cp -p or tar, so any rebuild or edit changes it,
// while reading all of the code would cost more than the rest of the memo's fast path.
//   - Run from the one-file bundle (src/cli/launch.cts, which has checked that the bundle is up to
//     date with every module it was built from, and says so through runningFromBundle): the bundle
//     file and templates/.
//   - Run from dist/'s modules: every directory and code file of dist/ and templates/, and the
//     versions of the two packages the compiler loads from node_modules (chevrotain, handlebars).
// The digest also says which of the two it is, so that a memo made by one never answers the other
// (after an edit and a bare `tsc`, almac runs dist/ while the old bundle is still there).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inside } from '../util/paths.js';

/** almac's installation root (the directory holding dist/ and templates/). */
const INSTALL_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The bundle, relative to the installation root (scripts/bundle.mjs). */
const BUNDLE_ENTRY = 'dist/almac.cjs';

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

let fromBundle = false;

/** Called by the launcher, before anything else runs, when this process runs the (up-to-date) bundle. */
export function runningFromBundle(): void {
  fromBundle = true;
  thisBuild = undefined;
}

/**
 * name@version of an installed dependency, looked up the way Node finds packages (node_modules of
 * the installation root, then of each parent) but without the cost of require.resolve.
 */
function packageVersion(name: string): string {
  for (let dir = INSTALL_ROOT; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
      return `${name}@${pkg.version}`;
    } catch {
      if (dirname(dir) === dir) return `${name}@?`;
    }
  }
}

/**
 * Digest of the build that consists of `entries` (paths relative to the installation root;
 * directories end in "/": their times change when entries come or go), as run now (from the bundle
 * or from dist/). Undefined when a listed entry is gone.
 */
export function compilerDigest(entries: readonly string[]): string | undefined {
  const h = createHash('sha256').update(`${process.version}\0`);
  h.update(fromBundle ? 'bundle\0' : `modules\0${packageVersion('chevrotain')}\0${packageVersion('handlebars')}\0`);
  for (const rel of entries) {
    const st = statSync(inside(INSTALL_ROOT, rel), { bigint: true, throwIfNoEntry: false });
    if (!st) return undefined;
    h.update(`${rel}\0${st.size}\0${st.ctimeNs}\0${st.mtimeNs}\0`);
  }
  return h.digest('hex');
}

/** The files of this build: the bundle, or every code file of dist/ (source maps aside); and templates/. Sorted. */
function compilerEntries(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    out.push(rel);
    let entries: Dirent[];
    try {
      entries = readdirSync(inside(INSTALL_ROOT, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(`${rel}${e.name}/`);
      else if (e.isFile() && !e.name.endsWith('.map')) out.push(`${rel}${e.name}`);
    }
  };
  if (fromBundle) out.push(BUNDLE_ENTRY);
  else walk('dist/');
  walk('templates/');
  return out.sort(byName);
}

let thisBuild: { entries: string[]; digest: string } | undefined;

/**
 * This build of almac, listed and digested once per process. On the path that compiles, it is
 * taken before compiling, so the result is recorded against the code that produced it even if
 * almac is rebuilt meanwhile.
 */
export function currentBuild(): { entries: string[]; digest: string } {
  if (!thisBuild) {
    const entries = compilerEntries();
    thisBuild = { entries, digest: compilerDigest(entries) ?? '' };
  }
  return thisBuild;
}

/** The digest of this build of almac (the compiler part of the memo's key; also the runner's). */
export function compilerFingerprint(): string {
  return currentBuild().digest;
}
