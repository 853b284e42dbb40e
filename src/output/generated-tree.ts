// Reading and comparing the committed generated/ tree, and replacing it as a whole.
//
// Replacement is all-or-nothing: the new tree is written beside the old one and swapped in with
// renames. A run that is killed part-way leaves either the old tree or the new one; a swap that was
// interrupted between its two renames is finished by the next almac command (see recover()).
// Concurrent writers are serialised by a lock file; the last one to take the lock wins.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export interface TreeDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (e !== '.almac-complete') out.set(relative(dir, p).split(sep).join('/'), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
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

const NEW = '.almac-new';
const OLD = '.almac-old';

/** Finish or undo a swap that a killed process left half-done. */
export function recover(target: string): void {
  const parent = dirname(target);
  const base = target.slice(parent.length + 1);
  const oldDir = join(parent, base + OLD);
  const newDir = join(parent, base + NEW);
  if (!existsSync(target) && existsSync(oldDir)) {
    // Killed between the two renames: the new tree is complete (it was fsynced before the swap).
    if (existsSync(join(newDir, '.almac-complete'))) renameSync(newDir, target);
    else renameSync(oldDir, target);
  }
  rmSync(oldDir, { recursive: true, force: true });
  rmSync(newDir, { recursive: true, force: true });
  rmSync(join(target, '.almac-complete'), { force: true });
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

/** Replace the directory `target` with exactly `files`. */
export function replaceTree(target: string, files: Map<string, string>): void {
  const parent = dirname(target);
  const base = target.slice(parent.length + 1);
  const newDir = join(parent, base + NEW);
  const oldDir = join(parent, base + OLD);
  rmSync(newDir, { recursive: true, force: true });
  mkdirSync(newDir, { recursive: true });
  for (const p of [...files.keys()].sort()) {
    const full = join(newDir, ...p.split('/'));
    mkdirSync(dirname(full), { recursive: true });
    writeFileDurable(full, files.get(p)!);
  }
  writeFileSync(join(newDir, '.almac-complete'), '');
  if (existsSync(target)) renameSync(target, oldDir);
  renameSync(newDir, target);
  rmSync(join(target, '.almac-complete'), { force: true });
  rmSync(oldDir, { recursive: true, force: true });
}

/** A simple exclusive lock: a file created with O_EXCL holding our pid; stale locks are taken over. */
export function withLock<T>(lockPath: string, f: () => T): T {
  mkdirSync(dirname(lockPath), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = NaN;
      try {
        holder = Number(readFileSync(lockPath, 'utf8'));
      } catch {
        /* vanished: retry */
      }
      if (!Number.isNaN(holder) && !isAlive(holder)) rmSync(lockPath, { force: true });
      else if (attempt > 600) throw new Error(`another almac (pid ${holder}) holds ${lockPath}`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
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
