// How a stale generated file differs from what the definitions produce: a unified diff (jsdiff's
// Myers diff), so one inserted line shows as one added line, not as every later line changed.
import { structuredPatch } from 'diff';

export interface StaleDiff {
  added: number;
  removed: number;
  /** Unified diff text, `---`/`+++` header and hunks, at most `maxLines` hunk lines. */
  text: string;
}

/** Lines of hunk body shown per file before the rest is summarised. */
export const MAX_DIFF_LINES = 200;

export function staleDiff(path: string, committed: string, wanted: string, maxLines = MAX_DIFF_LINES): StaleDiff {
  const patch = structuredPatch(`${path}`, `${path}`, committed, wanted, 'committed', 'from definitions', { context: 3 });
  let added = 0;
  let removed = 0;
  const body: string[] = [];
  for (const h of patch.hunks) {
    body.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`);
    for (const l of h.lines) {
      if (l.startsWith('+')) added++;
      else if (l.startsWith('-')) removed++;
      body.push(l);
    }
  }
  const shown = body.length > maxLines ? [...body.slice(0, maxLines), `… ${body.length - maxLines} more diff lines`] : body;
  return { added, removed, text: [`--- ${path}\t(committed)`, `+++ ${path}\t(from definitions)`, ...shown].join('\n') };
}

/** "2 lines added, 1 removed" */
export function describeStale(d: StaleDiff): string {
  const n = (k: number, w: string) => `${k} line${k === 1 ? '' : 's'} ${w}`;
  if (d.added && d.removed) return `${n(d.added, 'added')}, ${d.removed} removed`;
  if (d.added) return n(d.added, 'added');
  if (d.removed) return n(d.removed, 'removed');
  return 'line endings or whitespace differ';
}
