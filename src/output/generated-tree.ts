// Replacing the committed generated/ tree as a whole (comparing it is tree-compare.ts's job).
//
// What replaceTree guarantees, whatever happens to the process (SIGKILL, a crash, a full disk):
//   - generated/ is never a mix of the old and the new tree. The new tree is written in full
//     beside it (generated.almac-tmp-PID/), every file fsynced, then renamed to
//     generated.almac-new-PID/ — that rename marks it complete — and only then swapped in.
//   - On Linux (local filesystems: ext4, xfs, btrfs, tmpfs, …) the swap is one atomic
//     renameat2(RENAME_EXCHANGE) (see exchange-dirs.ts): at every instant generated/ exists and is
//     wholly the old tree or wholly the new one.
//   - Where that is not available (other systems, NFS, very old kernels) the swap is two renames:
//     generated/ → generated.almac-old-PID/, then the new tree → generated/. A process killed
//     between the two leaves generated/ absent for a moment, never mixed; the next `almac generate`
//     (recover()) finishes the swap with the complete new tree.
//   - Leftovers of killed runs (generated.almac-*-PID/) are removed by the next run. A directory
//     is always renamed to generated.almac-trash-PID-N/ before it is deleted, so a name such as
//     generated.almac-new-PID/ never refers to a half-deleted tree, and an exchange helper that
//     outlives a killed almac (it is a separate process) finds nothing left to swap in.
// Concurrent runs: `generate` holds .almac/generate.lock from reading definitions/ to the swap, so
// runs are serialised and the last one to take the lock wins. The swap does not depend on the lock:
// every run writes under its own PID and swaps atomically, so even two runs that both got past a
// lock (a stale lock broken by two at once) each leave a whole tree, the later one winning.
import { accessSync, chmodSync, closeSync, constants, existsSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { shownText } from '../util/display.js';
import { describeFsError, FileSystemError, LEFT_AS_IT_WAS, type FsProblem } from '../util/fs-problems.js';
import { exchangeDirs } from './exchange-dirs.js';
import { DIR_MODE, FILE_MODE } from './tree-scan.js';

export interface TreeDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

/**
 * An entry of generated/ that is not a regular file (a link, a FIFO, an empty directory, …; see
 * tree-scan.ts) is carried as a stand-in that no generated file can equal: NUL followed by what the
 * entry is. Generated text never holds NUL (definitions cannot put one there).
 */
export const isStandIn = (text: string) => text.startsWith('\0');
/** What a stand-in says the entry is. */
export const standInDescription = (text: string) => text.slice(1);

export const isClean = (d: TreeDiff) => !d.added.length && !d.changed.length && !d.removed.length;

type Stage = 'tmp' | 'new' | 'old' | 'trash';
const stagePath = (target: string, stage: Stage, pid = process.pid) => `${target}.almac-${stage}-${pid}`;

/** generated.almac-{tmp,new,old}-PID siblings of target (and the PID-less names of older almacs). */
function leftovers(target: string): { path: string; stage: Stage; pid?: number }[] {
  const prefix = `${basename(target)}.almac-`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const m = /^(tmp|new|old|trash)(?:-(\d+)(?:-\d+)?)?$/.exec(n.startsWith(prefix) ? n.slice(prefix.length) : '');
    return m ? [{ path: join(dirname(target), n), stage: m[1] as Stage, pid: m[2] === undefined ? undefined : Number(m[2]) }] : [];
  });
}

/**
 * Finishes or undoes what a killed run left behind. Called before every write, under the lock.
 * The only half-done state that matters is a two-rename swap killed between its renames:
 * generated/ is absent and the complete new tree is beside it; it is moved into place.
 * Leftovers named with this process's own pid are stale too (a pid reused, as in containers,
 * where almac is often the same pid every time): this process has written nothing yet.
 */
export function recover(target: string): void {
  const others = leftovers(target).filter((l) => l.pid === undefined || l.pid === process.pid || !isAlive(l.pid));
  if (!existsSync(target)) {
    // A "new" directory is complete by construction; the newest wins if there are several.
    const byAge = (stage: Stage) => others.filter((l) => l.stage === stage).sort((a, b) => statSync(b.path).mtimeMs - statSync(a.path).mtimeMs);
    const restore = byAge('new')[0] ?? byAge('old')[0];
    if (restore) {
      renameSync(restore.path, target);
      syncDir(dirname(target));
    }
  }
  for (const l of leftovers(target)) {
    if (others.some((o) => o.path === l.path)) discardOrWarn(target, l.path);
  }
  rmSync(join(target, '.almac-complete'), { force: true }); // the marker file of an older almac
}

let trashCount = 0;

/**
 * Deletes a directory beside target: first renamed out of the way (atomically) to a trash name
 * no other directory has, then removed. A tree made read-only (chmod -R a-w) cannot be emptied,
 * so its directories are made writable by their owner first: it is almac's own trash by now.
 */
function discard(target: string, path: string): void {
  let trash: string;
  for (;;) {
    trash = `${stagePath(target, 'trash')}-${trashCount++}`;
    try {
      renameSync(path, trash);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e; // else: that trash name is taken
    }
  }
  try {
    fsExtra().removeSync(trash);
  } catch {
    makeOwnerWritable(trash);
    fsExtra().removeSync(trash);
  }
}

/** discard, reporting a directory that still cannot be removed instead of failing: it harms nothing where it is. */
function discardOrWarn(target: string, path: string): void {
  try {
    discard(target, path);
  } catch (e) {
    process.stderr.write(`warning: could not remove ${basename(path)}: ${describeFsError(e)}; the next almac generate tries again\n`);
  }
}

/** u+rwx on every directory under dir that its owner may change (an iterative walk). */
function makeOwnerWritable(dir: string): void {
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    try {
      chmodSync(d, (lstatSync(d).mode & 0o7777) | 0o700);
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) stack.push(join(d, e.name));
    } catch {
      /* not ours: removeSync reports it */
    }
  }
}

/** fs-extra, loaded when a tree is first written: check and the clean memo never need it. */
let fsExtraModule: typeof import('fs-extra') | undefined;
const fsExtra = () => (fsExtraModule ??= createRequire(import.meta.url)('fs-extra') as typeof import('fs-extra'));

/**
 * Writes a file that must survive a crash: created with the canonical mode (whatever the umask),
 * written and fsynced before it counts. Hand-written because fs-extra's outputFile neither fsyncs
 * nor sets a mode independent of the umask, and the swap below relies on both.
 */
function writeFileDurable(path: string, text: string | Uint8Array): void {
  const fd = openSync(path, 'w', FILE_MODE);
  try {
    fchmodSync(fd, FILE_MODE);
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    // write(2) may write less than asked (a signal, a full disk): go on from where it stopped
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a directory's entries (new files, renames) durable. */
function syncDir(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    /* not supported here (some filesystems and systems refuse fsync on directories) */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const shownInTarget = (target: string, rel: string) => `${basename(target)}/${shownText(rel)}`.replace(/\/$/, '');

/**
 * Every directory of the current tree must be writable, or the old tree could not be removed once
 * the new one is in place (and every later run would trip on it). Checked before anything is
 * written, so a read-only tree gets its error while generated/ is still as it was.
 */
function assertReplaceable(target: string): void {
  const problems: FsProblem[] = [];
  const stack = [''];
  while (stack.length) {
    const rel = stack.pop()!;
    const d = rel === '' ? target : join(target, rel);
    try {
      accessSync(d, constants.W_OK | constants.X_OK);
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) stack.push(`${rel}${e.name}/`);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && rel === '') return;
      problems.push({ path: shownInTarget(target, rel), reason: code === 'EACCES' || code === 'EROFS' || code === 'EPERM' ? `it is not writable (${code})` : describeFsError(e) });
    }
  }
  if (problems.length) {
    const err = new FileSystemError(problems, 'write', `${LEFT_AS_IT_WAS} almac replaces generated/ as a whole and must be able to remove the old tree: make it writable (chmod -R u+w ${basename(target)}) and run almac generate again.`);
    // "generated/x is not writable": the message names the directory as the subject.
    err.message = err.message.replace(/^cannot write (\S+): it is not writable/, '$1 is not writable');
    throw err;
  }
}

/** Replace the directory `target` with exactly `files` (see the top of this file). */
export function replaceTree(target: string, files: ReadonlyMap<string, string | Uint8Array>): void {
  const tmp = stagePath(target, 'tmp');
  const fresh = stagePath(target, 'new');
  const old = stagePath(target, 'old');
  assertReplaceable(target);
  let writing = '';
  try {
    discard(target, tmp);
    mkdirSync(tmp, { recursive: true, mode: DIR_MODE });
    const dirs = new Set<string>([tmp]);
    for (const p of [...files.keys()].sort()) {
      writing = p;
      const full = join(tmp, ...p.split('/'));
      if (!dirs.has(dirname(full))) {
        mkdirSync(dirname(full), { recursive: true, mode: DIR_MODE });
        for (let d = dirname(full); d.length > tmp.length; d = dirname(d)) dirs.add(d);
      }
      writeFileDurable(full, files.get(p)!);
    }
    writing = '';
    for (const d of dirs) {
      chmodSync(d, DIR_MODE); // mkdir's mode is subject to the umask
      syncDir(d);
    }
    discard(target, fresh);
    renameSync(tmp, fresh); // from here on the new tree is known to be complete
  } catch (e) {
    try {
      discard(target, tmp);
    } catch {
      /* the next run removes it */
    }
    const where = writing ? shownInTarget(target, writing) : `${basename(tmp)}/`;
    throw new FileSystemError([{ path: where, reason: `${describeFsError(e)}${writing ? ` (while writing the new tree in ${basename(tmp)}/)` : ''}` }], 'write', LEFT_AS_IT_WAS);
  }
  const parent = dirname(target);
  syncDir(parent);
  if (!existsSync(target)) {
    renameSync(fresh, target);
  } else if (exchangeDirs(fresh, target)) {
    discardOrWarn(target, fresh); // now the old tree
  } else {
    renameSync(target, old);
    renameSync(fresh, target);
    discardOrWarn(target, old);
  }
  syncDir(parent);
}

/** How long withLock waits for another almac before giving up. */
const LOCK_WAIT_MS = 30_000;
const LOCK_POLL_MS = 50;

/**
 * Runs f holding an exclusive lock: a file created with O_EXCL that holds our pid. A lock whose
 * process is gone (killed) is taken over.
 */
export function withLock<T>(lockPath: string, f: () => T): T {
  mkdirSync(dirname(lockPath), { recursive: true });
  for (let waited = 0; ; waited += LOCK_POLL_MS) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = NaN;
      let age = 0;
      try {
        holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
        age = Date.now() - statSync(lockPath).mtimeMs;
      } catch {
        continue; // released meanwhile: try again at once
      }
      // An empty lock is one being written, unless it has stayed empty (its writer was killed).
      const stale = Number.isNaN(holder) ? age > 5_000 : !isAlive(holder);
      if (stale) rmSync(lockPath, { force: true });
      else if (waited >= LOCK_WAIT_MS) {
        throw new Error(`another almac (pid ${holder}) has held ${lockPath} for ${Math.round(waited / 1000)} s; if no almac is running, delete that file`);
      } else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LOCK_POLL_MS);
    }
  }
  try {
    return f();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
