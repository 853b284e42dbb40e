// `almac diff [BASE [HEAD]]`: what a change does to the resolved images, for reviewers. It is a
// report: it succeeds (exit 0) whatever changed; exit 1 only when a side's definitions have errors.
import { printDiagnostics, printJson, EXIT } from '../io.js';
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { GitError, defaultBase, projectPrefix, resolveCommit } from '../../review/git.js';
import type { DiffReport } from '../../review/model.js';
import { renderMarkdown } from '../../review/report-markdown.js';
import { renderText } from '../../review/report-text.js';
import { diffImageSets } from '../../review/semantic-diff.js';
import { snapshotAtCommit, snapshotWorktree, type Snapshot } from '../../review/snapshot.js';

export interface DiffOptions {
  root: string;
  format: 'text' | 'markdown' | 'json';
  base?: string;
  head?: string;
}

export function runDiff(o: DiffOptions): number {
  let base: Snapshot;
  let head: Snapshot;
  try {
    projectPrefix(o.root); // fails early, and clearly, outside a repository
    const b = o.base !== undefined ? { rev: o.base, commit: resolveCommit(o.root, o.base) } : defaultBase(o.root);
    const h = o.head !== undefined ? { rev: o.head, commit: resolveCommit(o.root, o.head) } : undefined;
    base = snapshotAtCommit(o.root, b.commit, b.rev);
    head = h ? snapshotAtCommit(o.root, h.commit, h.rev) : snapshotWorktree(o.root);
  } catch (e) {
    if (!(e instanceof GitError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return e.kind === 'usage' ? EXIT.usage : EXIT.environment;
  }
  for (const side of [base, head]) {
    if (!hasErrors(side.diagnostics)) continue;
    process.stderr.write(`The definitions in ${side.label} have errors; almac diff compares only definitions that compile.\n\n`);
    printDiagnostics(side.diagnostics, side.sources);
    return EXIT.failed;
  }
  const { images, unchanged } = diffImageSets(base, head);
  const report: DiffReport = {
    base: { label: base.label, ...(base.commit ? { commit: base.commit } : {}) },
    head: { label: head.label, ...(head.commit ? { commit: head.commit } : {}) },
    images,
    unchanged,
  };
  if (o.format === 'json') printJson(report);
  else process.stdout.write(o.format === 'markdown' ? renderMarkdown(report) : renderText(report));
  return EXIT.ok;
}
