// Where `almac lock` keeps dnf's scratch space (an install root and a HOME for each resolution):
// one directory per run under the project's .almac/lock-work/, named by the process that owns it.
//
// A run that is killed cannot clean up after itself: SIGKILL runs nothing, and while dnf resolves,
// Node is blocked in spawnSync, so a SIGTERM or SIGINT ends it before any handler runs. Its
// directory stays, and the next run removes it: every directory whose owner is no longer running.
// The owner is known by its PID and its start time (from /proc), so a recycled PID never keeps a
// dead run's directory, and two runs at once never touch each other's. Nothing outside this
// directory is ever removed, and no name pattern in a shared place (/tmp) is relied on.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import fse from 'fs-extra';
import { join } from 'node:path';

export const LOCK_WORK_DIR = join('.almac', 'lock-work');

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
  return fields[19]; // field 22 of the whole line: 20th after the name and the state
}

const OWNER = /^run-(\d+)-(\d+)-/;

/** Removes the work directories of runs that are no longer running; returns how many. */
export function reapLockWork(projectRoot: string): number {
  const dir = join(projectRoot, LOCK_WORK_DIR);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0; // none yet
  }
  let removed = 0;
  for (const name of entries) {
    const m = OWNER.exec(name);
    if (m && processStartTime(Number(m[1])) === m[2]) continue; // its run is still going
    fse.removeSync(join(dir, name));
    removed++;
  }
  return removed;
}

/**
 * This run's work directory, made after removing those of runs that were killed; `dispose()`
 * removes it. Subdirectories for each resolution come from `scratch(prefix)`.
 */
export function openLockWork(projectRoot: string): { path: string; reaped: number; scratch(prefix: string): string; dispose(): void } {
  const reaped = reapLockWork(projectRoot);
  const base = join(projectRoot, LOCK_WORK_DIR);
  mkdirSync(base, { recursive: true, mode: 0o700 });
  // /proc is where the start time comes from; without it (not Linux) the directory is this run's
  // alone all the same, and is removed by the next run that finds it.
  const path = mkdtempSync(join(base, `run-${process.pid}-${processStartTime(process.pid) ?? 0}-`));
  return {
    path,
    reaped,
    scratch: (prefix) => mkdtempSync(join(path, prefix)),
    dispose: () => fse.removeSync(path),
  };
}
