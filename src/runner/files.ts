// File helpers of the runner, on fs-extra: JSON state written atomically (a reader never sees half a
// file; a killed run leaves the old one), files written with their directories.
import fse from 'fs-extra';

/** Writes `value` as JSON to `path` through a temporary file and a rename (fs-extra's move). */
export function writeJsonAtomic(path: string, value: unknown, opts: { spaces?: number } = {}): void {
  const tmp = `${path}.tmp-${process.pid}`;
  fse.outputJsonSync(tmp, value, { spaces: opts.spaces ?? 0 });
  fse.moveSync(tmp, path, { overwrite: true });
}

/** The parsed JSON in `path`, or undefined when it is missing or unreadable. */
export function readJsonOrUndefined<T>(path: string): T | undefined {
  try {
    return fse.readJsonSync(path) as T;
  } catch {
    return undefined;
  }
}

export const { outputFileSync, copySync, removeSync, ensureDirSync } = fse;
