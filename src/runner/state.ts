// The build directory's memory: what each successful build was made from (state.json), and a lock so
// that two `almac build` runs never share a build directory or an engine store at the same time (a
// killed build's cleanup removes the store's working containers, which must all be this run's).
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pidAlive } from './engine/reap.js';
import { readJsonOrUndefined, writeJsonAtomic } from './files.js';

export interface BuildRecord {
  /** Hash of everything the image is made from (see buildInputs). */
  inputs: string;
  /** Hash of what verification checks (assertions); a change re-verifies without rebuilding. */
  verify: string;
  imageId: string;
  localTag: string;
  /** Naming tags applied (with {date} filled in). */
  tags: string[];
  finishedAt: string;
  durationMs: number;
  size: number;
  /** null: the image has no rpm database. */
  packages: number | null;
  engine: string;
}

export interface StateFile {
  version: 1;
  builds: Record<string, BuildRecord>;
  /**
   * Ids of images this build directory created, or whose names a build of it is about to take
   * (recorded before the build, so that a run killed after the new image took the name still leaves
   * the old one known). Those left without a name are removed at the start and at the end of every
   * run, so that no superseded image stays behind even after a run was killed half-way.
   */
  created?: string[];
}

export const STATE_FILE = 'state.json';

export function loadState(buildDir: string): StateFile {
  // missing or unreadable: start over (every build runs)
  const v = readJsonOrUndefined<StateFile>(join(buildDir, STATE_FILE));
  if (v && v.version === 1 && typeof v.builds === 'object' && v.builds) return v;
  return { version: 1, builds: {} };
}

/** Atomic write (temp file + rename). */
export function saveState(buildDir: string, s: StateFile): void {
  writeJsonAtomic(join(buildDir, STATE_FILE), s, { spaces: 2 });
}

export function sha256(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(typeof p === 'string' ? p : p);
    h.update('\0');
  }
  return h.digest('hex');
}

// --- lock -----------------------------------------------------------------------------------------

export interface Lock {
  path: string;
  release(): void;
}

/**
 * Takes `path` (O_EXCL create, holding our pid). A lock whose process is gone is taken over; a live one
 * is waited for (polling), calling onWait(pid) once. Returns when the lock is ours, or rejects when
 * `signal` aborts.
 */
export async function acquireLock(path: string, onWait: (pid: number) => void, signal?: AbortSignal): Promise<Lock> {
  mkdirSync(dirname(path), { recursive: true });
  let told = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(path, 'utf8').trim());
    } catch {
      continue; // released meanwhile
    }
    if (!Number.isInteger(holder) || holder <= 0 || !pidAlive(holder)) {
      try {
        unlinkSync(path); // stale: its process is gone
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (!told) {
      onWait(holder);
      told = true;
    }
    if (signal?.aborted) throw new Error('interrupted while waiting for the lock');
    await new Promise((r) => setTimeout(r, 250));
  }
}
