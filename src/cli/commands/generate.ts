// `almac generate` and `almac check`: compile definitions/ and write or compare generated/.
import { join } from 'node:path';
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { diffTrees, isClean, readTree, recover, replaceTree, withLock, type TreeDiff } from '../../output/generated-tree.js';
import { GENERATED_DIR, compileProject } from '../../project.js';
import { carryLocks, checkLocks } from '../../lock/lockfile.js';
import { EXIT, diagnosticsJson, printDiagnostics, printJson } from '../io.js';

export interface GenerateOptions {
  root: string;
  json: boolean;
  quiet?: boolean;
}

function summary(d: TreeDiff): string[] {
  return [...d.added.map((p) => `  added    ${GENERATED_DIR}/${p}`), ...d.changed.map((p) => `  changed  ${GENERATED_DIR}/${p}`), ...d.removed.map((p) => `  removed  ${GENERATED_DIR}/${p}`)];
}

export function runGenerate(o: GenerateOptions): number {
  const target = join(o.root, GENERATED_DIR);
  return withLock(join(o.root, '.almac', 'generate.lock'), () => {
    recover(target);
    const c = compileProject(o.root);
    if (!c.outputs || hasErrors(c.diagnostics)) {
      if (o.json) printJson({ ok: false, diagnostics: diagnosticsJson(c.diagnostics) });
      else {
        printDiagnostics(c.diagnostics, c.sources);
        process.stderr.write(`generated/ was left unchanged.\n`);
      }
      return EXIT.failed;
    }
    // Locks are written by `almac lock`; generate keeps them as they are.
    const current = readTree(target);
    const wanted = carryLocks(current, c.outputs);
    const diff = diffTrees(current, wanted);
    if (!isClean(diff)) replaceTree(target, wanted);
    if (o.json) printJson({ ok: true, ...diff, images: c.images.length });
    else if (!o.quiet) {
      printDiagnostics(c.diagnostics, c.sources);
      if (isClean(diff)) process.stdout.write(`generated/ is up to date (${c.outputs.size} files from ${c.images.length} images).\n`);
      else process.stdout.write(`Updated generated/ (${c.images.length} images):\n${summary(diff).join('\n')}\n`);
    }
    return EXIT.ok;
  });
}

export function runCheck(o: GenerateOptions): number {
  const target = join(o.root, GENERATED_DIR);
  const c = compileProject(o.root);
  if (!c.outputs || hasErrors(c.diagnostics)) {
    if (o.json) printJson({ ok: false, diagnostics: diagnosticsJson(c.diagnostics) });
    else printDiagnostics(c.diagnostics, c.sources);
    return EXIT.failed;
  }
  const current = readTree(target);
  const diff = diffTrees(current, carryLocks(current, c.outputs));
  const lockProblems = checkLocks(current, c.images);
  const ok = isClean(diff) && !lockProblems.length;
  if (o.json) {
    printJson({ ok, ...diff, locks: lockProblems });
    return ok ? EXIT.ok : EXIT.failed;
  }
  printDiagnostics(c.diagnostics, c.sources);
  if (ok) {
    if (!o.quiet) process.stdout.write(`generated/ matches definitions/ (${c.outputs.size} files).\n`);
    return EXIT.ok;
  }
  const lines = [
    ...diff.added.map((p) => `  missing   ${GENERATED_DIR}/${p}  (run almac generate)`),
    ...diff.changed.map((p) => `  stale     ${GENERATED_DIR}/${p}  (${describeChange(current.get(p)!, c.outputs!.get(p)!)})`),
    ...diff.removed.map((p) => `  orphan    ${GENERATED_DIR}/${p}  (no definition produces it)`),
    ...lockProblems.map((l) => `  lock      ${GENERATED_DIR}/${l.path}  (${l.problem})`),
  ];
  process.stderr.write(`generated/ does not match definitions/:\n${lines.join('\n')}\n\nRun \`almac generate\`${lockProblems.length ? ' (and `almac lock` for stale locks)' : ''} and commit the result. Generated files must not be edited by hand.\n`);
  return EXIT.failed;
}

/** "3 lines differ, first at line 12" — enough to tell a hand edit from a stale file. */
function describeChange(have: string, want: string): string {
  const a = have.split('\n');
  const b = want.split('\n');
  let first = -1;
  let count = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      count++;
      if (first < 0) first = i + 1;
    }
  }
  return `${count} line${count === 1 ? '' : 's'} differ, first at line ${first}`;
}
