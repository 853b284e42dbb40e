// Scratch directories that no run leaves behind, however it ends.
//
// A run's scratch directories are made inside one directory of its own, run-<pid>-<start>-XXXXXX,
// under a parent that holds nothing else: the project's .almac/lock-work/ for `almac lock`, and a
// private directory of the user's under the system's temporary directory (almac-<uid>, mode 0700)
// for the rest. A run that is killed cannot clean up after itself (SIGKILL runs nothing; while a
// synchronous child runs, Node runs no signal handler), so the next run that makes scratch space in
// the same parent removes the directories of runs that are no longer alive. A run is known by its
// PID and its start time (/proc/PID/stat), so a recycled PID never keeps a dead run's directory and
// two runs at once never touch each other's. Nothing outside such a parent is ever removed, and no
// name pattern in a shared directory is relied on.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** The start time of a process (clock ticks since boot, /proc/PID/stat field 22), or undefined if it is not running. */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19]; // field 22 of the line: the 20th after the name and the state
}

const OWNER = /^run-(\d+)-(\d+)-/;

/** Removes the run directories in `parent` of runs that are no longer alive; returns how many. */
export function reapDeadRuns(parent: string): number {
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return 0; // none yet
  }
  let removed = 0;
  for (const name of entries) {
    const m = OWNER.exec(name);
    if (m && processStartTime(Number(m[1])) === m[2]) continue; // its run is still going
    rmSync(join(parent, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

export interface RunScratch {
  /** This run's directory. */
  path: string;
  /** How many directories of dead runs were removed when it was made. */
  reaped: number;
  /** A new directory in this run's directory. */
  make(prefix: string): string;
  /** Removes this run's directory and everything in it, and the parent if nothing else is in it. */
  dispose(): void;
}

/** This run's directory in `parent`, made after removing those of runs that are no longer alive. */
export function openRunScratch(parent: string): RunScratch {
  const reaped = reapDeadRuns(parent);
  // Without /proc (not Linux) the directory is this run's alone all the same; the next run removes it.
  const name = `run-${process.pid}-${processStartTime(process.pid) ?? 0}-`;
  let path: string | undefined;
  for (let attempt = 0; !path; attempt++) {
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    try {
      path = mkdtempSync(join(parent, name));
    } catch (e) {
      // Another run that ended just now removed the (empty) parent: make it again.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw e;
    }
  }
  const own = path;
  const dispose = () => {
    rmSync(own, { recursive: true, force: true });
    try {
      rmdirSync(parent); // only when empty: other runs' directories keep it
    } catch {
      // not empty, or gone
    }
  };
  return { path: own, reaped, make: (prefix) => mkdtempSync(join(own, prefix)), dispose };
}

/**
 * `dir` (made if need be, with `make`) when it is a directory of this user's, mode 0700, not a
 * symbolic link.
 */
function privateDir(dir: string, uid: number, make = true): string | undefined {
  try {
    if (make) mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  const st = lstatSync(dir, { throwIfNoEntry: false });
  return st?.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0 ? dir : undefined;
}

/**
 * The user's own parent: almac-<uid> under the system's temporary directory, or when something
 * else has that name, almac under the user's runtime directory ($XDG_RUNTIME_DIR, itself private
 * to the user, and often small: so it comes second); undefined when neither can be had.
 */
function userParent(): string | undefined {
  const uid = process.getuid?.() ?? 0;
  const inTmp = privateDir(join(tmpdir(), `almac-${uid}`), uid);
  if (inTmp) return inTmp;
  const runtime = process.env['XDG_RUNTIME_DIR'];
  if (!runtime || !isAbsolute(runtime) || !privateDir(runtime, uid, false)) return undefined; // never made here
  return privateDir(join(runtime, 'almac'), uid);
}

let processScratch: RunScratch | undefined;

/**
 * A new scratch directory for this process, in its run directory under the user's parent (made,
 * and dead runs' reaped, on first use; removed when the process exits). The caller removes it when
 * done. When no parent of the user's can be had, a directory of the system's temporary directory,
 * which a run killed while using it leaves behind.
 */
export function scratchDir(prefix: string): string {
  if (!processScratch) {
    const parent = userParent();
    if (!parent) return mkdtempSync(join(tmpdir(), `almac-${prefix}`));
    processScratch = openRunScratch(parent);
    const scratch = processScratch;
    process.once('exit', () => scratch.dispose());
  }
  return processScratch.make(prefix);
}
