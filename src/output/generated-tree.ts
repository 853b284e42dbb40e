// Reading and comparing the committed generated/ tree, and replacing it as a whole.
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
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { exchangeDirs } from './exchange-dirs.js';

export interface TreeDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

/** Marker file of an older almac that could be left inside generated/; never part of the tree. */
const LEGACY_MARKER = '.almac-complete';

export interface TreeEntry {
  /** "/"-separated, relative to the tree's directory. */
  path: string;
  full: string;
  /** For a symbolic link: what readTree reports instead of following it. */
  link?: string;
}

/**
 * The files under dir, sorted by path (UTF-16 code unit order, as JavaScript compares strings).
 * A symbolic link is not followed: it is listed with a description that no generated file can
 * equal (it holds a NUL), so check reports it and generate replaces it.
 */
export function listTree(dir: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const walk = (d: string, rel: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p, `${rel}${e}/`);
      else if (st.isSymbolicLink()) out.push({ path: `${rel}${e}`, full: p, link: `\0symbolic link to ${readlinkSync(p)}` });
      else if (rel !== '' || e !== LEGACY_MARKER) out.push({ path: `${rel}${e}`, full: p });
    }
  };
  walk(dir, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Every file under dir (see listTree) with its text. */
export function readTree(dir: string): Map<string, string> {
  return new Map(listTree(dir).map((e) => [e.path, e.link ?? readFileSync(e.full, 'utf8')]));
}

export function diffTrees(current: Map<string, string>, wanted: Map<string, string>): TreeDiff {
  const d: TreeDiff = { added: [], changed: [], removed: [] };
  for (const [p, text] of wanted) {
    const cur = current.get(p);
    if (cur === undefined) d.added.push(p);
    else if (cur !== text) d.changed.push(p);
  }
  for (const p of current.keys()) if (!wanted.has(p)) d.removed.push(p);
  for (const k of ['added', 'changed', 'removed'] as const) d[k].sort();
  return d;
}

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
 */
export function recover(target: string): void {
  const others = leftovers(target).filter((l) => l.pid === undefined || (l.pid !== process.pid && !isAlive(l.pid)));
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
    if (others.some((o) => o.path === l.path)) discard(target, l.path);
  }
  rmSync(join(target, LEGACY_MARKER), { force: true });
}

let trashCount = 0;

/** Deletes a directory beside target: first renamed out of the way (atomically), then removed. */
function discard(target: string, path: string): void {
  const trash = `${stagePath(target, 'trash')}-${trashCount++}`;
  try {
    renameSync(path, trash);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  rmSync(trash, { recursive: true, force: true });
}

function writeFileDurable(path: string, text: string): void {
  const fd = openSync(path, 'w', 0o644);
  try {
    writeSync(fd, text);
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

/** Replace the directory `target` with exactly `files` (see the top of this file). */
export function replaceTree(target: string, files: Map<string, string>): void {
  const tmp = stagePath(target, 'tmp');
  const fresh = stagePath(target, 'new');
  const old = stagePath(target, 'old');
  discard(target, tmp);
  mkdirSync(tmp, { recursive: true });
  const dirs = new Set<string>([tmp]);
  for (const p of [...files.keys()].sort()) {
    const full = join(tmp, ...p.split('/'));
    if (!dirs.has(dirname(full))) {
      mkdirSync(dirname(full), { recursive: true });
      for (let d = dirname(full); d.length > tmp.length; d = dirname(d)) dirs.add(d);
    }
    writeFileDurable(full, files.get(p)!);
  }
  for (const d of dirs) syncDir(d);
  discard(target, fresh);
  renameSync(tmp, fresh); // from here on the new tree is known to be complete
  const parent = dirname(target);
  syncDir(parent);
  if (!existsSync(target)) {
    renameSync(fresh, target);
  } else if (exchangeDirs(fresh, target)) {
    discard(target, fresh); // now the old tree
  } else {
    renameSync(target, old);
    renameSync(fresh, target);
    discard(target, old);
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
