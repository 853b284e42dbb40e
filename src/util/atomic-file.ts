// Replacing one file atomically: written in full beside it, then renamed over it, so a reader (or a
// run killed half-way) sees the old file or the new one, never a part. Used for the definitions
// `fmt` rewrites and for the clean memo. Hand-written on purpose: fs-extra's outputFile and
// writeJson write in place (not atomically) and its move with overwrite removes the target before
// renaming; and check, which records the memo, would pay for loading fs-extra on every cold run.
// (generated/ as a whole is replaced by output/generated-tree.ts, which also fsyncs every file.)
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes text to file atomically, creating its directory; mode is applied exactly (not masked by the umask). */
export function replaceFileAtomically(file: string, text: string, mode?: number): void {
  const tmp = join(dirname(file), `.${basename(file)}.almac-${process.pid}.tmp`);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, text, mode === undefined ? {} : { mode });
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
