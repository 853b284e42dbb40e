// `almac generate` and `almac check`: compile definitions/ and write or compare generated/.
// When nothing has changed since generated/ was last found right, both answer from the clean memo
// (output/clean-memo.ts) without running the compiler, which is therefore only loaded on demand.
import { join } from 'node:path';
import { hasErrors, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { lookupClean, recordClean, type CleanResult } from '../../output/clean-memo.js';
import { isClean, isStandIn, recover, replaceTree, standInDescription, withLock, type TreeDiff } from '../../output/generated-tree.js';
import { TreeComparer } from '../../output/tree-compare.js';
import { shownText } from '../../util/display.js';
import { GENERATED_DIR } from '../../project-files.js';
import { describeStale, staleDiff } from '../../output/stale-diff.js';
import { EXIT, diagnosticsJson, printDiagnostics, printJson } from '../io.js';
import { usedParts } from '../used-parts.js';

export interface GenerateOptions {
  root: string;
  json: boolean;
  quiet?: boolean;
}

function summary(d: TreeDiff): string[] {
  const shown = (p: string) => `${GENERATED_DIR}/${shownText(p)}`;
  return [...d.added.map((p) => `  added    ${shown(p)}`), ...d.changed.map((p) => `  changed  ${shown(p)}`), ...d.removed.map((p) => `  removed  ${shown(p)}`)];
}

const loadCompiler = async () => {
  usedParts.add('compiler');
  return { ...(await import('../../project.js')), ...(await import('../../lock/lockfile.js')) };
};

const cleanResult = (c: { outputs?: Map<string, string>; images: unknown[]; diagnostics: Diagnostic[] }): CleanResult => ({ files: c.outputs!.size, images: c.images.length, diagnostics: c.diagnostics });

type ImageOutputs = { id: string; outputs: Record<string, string> }[];

/** The images (`9/minimal`) one of whose own files was added, changed or removed, in build order. */
export function changedImages(diff: TreeDiff, images: ImageOutputs): string[] {
  const touched = new Set([...diff.added, ...diff.changed, ...diff.removed]);
  return images.filter((i) => Object.values(i.outputs).some((p) => touched.has(p))).map((i) => i.id);
}

function reportGenerated(o: GenerateOptions, diff: TreeDiff, r: CleanResult, sources: Map<string, string>, images: ImageOutputs = []): number {
  const changed = changedImages(diff, images);
  if (o.json) printJson({ ok: true, ...diff, images: r.images, changedImages: changed });
  else if (!o.quiet) {
    printDiagnostics(r.diagnostics, sources);
    if (isClean(diff)) process.stdout.write(`generated/ is up to date (${r.files} files from ${r.images} images).\n`);
    else {
      const which = changed.length ? `${changed.length} of ${r.images} images changed: ${changed.join(', ')}` : `no image's own files changed (${r.images} images)`;
      process.stdout.write(`Updated generated/ — ${which}\n${summary(diff).join('\n')}\n`);
    }
  }
  return EXIT.ok;
}

export async function runGenerate(o: GenerateOptions): Promise<number> {
  const target = join(o.root, GENERATED_DIR);
  const lock = join(o.root, '.almac', 'generate.lock');
  const memo = withLock(lock, () => {
    recover(target);
    return lookupClean(o.root, target);
  });
  if (memo) return reportGenerated(o, { added: [], changed: [], removed: [] }, memo.result, memo.sources);
  const { compileProject, carryLocks, checkLocks, isLockPath } = await loadCompiler();
  return withLock(lock, () => {
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
    // Locks are written by `almac lock`; generate keeps them as they are. The tree on disk is
    // compared file by file, never read whole.
    const comparer = new TreeComparer(target, isLockPath);
    for (const [path, text] of c.outputs) comparer.offer(path, text);
    const { diff, current, digest } = comparer.finish();
    const wanted = carryLocks(current, c.outputs);
    if (!isClean(diff)) replaceTree(target, wanted);
    // A stale lock is a problem `check` must report, so such a state is not remembered as clean.
    if (!checkLocks(wanted, c.images).length) recordClean(o.root, c.sources, isClean(diff) ? { digest } : wanted, cleanResult(c));
    return reportGenerated(o, diff, cleanResult(c), c.sources, c.images);
  });
}

function reportChecked(o: GenerateOptions, r: CleanResult, sources: Map<string, string>): number {
  if (o.json) printJson({ ok: true, added: [], changed: [], removed: [], locks: [] });
  else {
    printDiagnostics(r.diagnostics, sources);
    if (!o.quiet) process.stdout.write(`generated/ matches definitions/ (${r.files} files).\n`);
  }
  return EXIT.ok;
}

export async function runCheck(o: GenerateOptions): Promise<number> {
  const target = join(o.root, GENERATED_DIR);
  const memo = lookupClean(o.root, target);
  if (memo) return reportChecked(o, memo.result, memo.sources);
  const { compileProject, renderEach, checkLocks, isLockPath } = await loadCompiler();
  const c = compileProject(o.root, { render: false });
  if (hasErrors(c.diagnostics)) {
    if (o.json) printJson({ ok: false, diagnostics: diagnosticsJson(c.diagnostics) });
    else printDiagnostics(c.diagnostics, c.sources);
    return EXIT.failed;
  }
  // Each file is compared as soon as it is rendered: neither tree is ever held whole in memory.
  const comparer = new TreeComparer(target, isLockPath);
  renderEach(c.images, (path, text) => comparer.offer(path, text));
  const { diff, current, wanted, modes, digest, files } = comparer.finish();
  const lockProblems = checkLocks(current, c.images);
  const ok = isClean(diff) && !lockProblems.length;
  const result: CleanResult = { files, images: c.images.length, diagnostics: c.diagnostics };
  if (ok) {
    recordClean(o.root, c.sources, { digest }, result);
    return reportChecked(o, result, c.sources);
  }
  // A unified diff for each file whose text differs; mode changes and special files are described instead.
  const diffs = new Map<string, ReturnType<typeof staleDiff>>();
  for (const p of diff.changed) {
    const have = current.get(p);
    const want = wanted.get(p);
    if (have !== undefined && want !== undefined && have !== want && !isStandIn(have)) diffs.set(p, staleDiff(`${GENERATED_DIR}/${p}`, have, want));
  }
  if (o.json) {
    printJson({ ok, ...diff, locks: lockProblems, diffs: Object.fromEntries([...diffs].map(([p, d]) => [p, d.text])) });
    return EXIT.failed;
  }
  printDiagnostics(c.diagnostics, c.sources);
  const shown = (p: string) => `${GENERATED_DIR}/${shownText(p)}`;
  const what = (p: string) => {
    const have = current.get(p);
    if (modes.has(p) && (have === undefined || !wanted.has(p))) return modes.get(p)!;
    if (have !== undefined && isStandIn(have)) return standInDescription(have);
    const d = diffs.get(p);
    return d ? describeStale(d) : 'differs from what the definitions produce';
  };
  const lines = [
    ...diff.added.map((p) => `  missing   ${shown(p)}  (run almac generate)`),
    ...diff.changed.map((p) => `  stale     ${shown(p)}  (${what(p)})`),
    ...diff.removed.map((p) => `  orphan    ${shown(p)}  (${isStandIn(current.get(p)!) ? standInDescription(current.get(p)!) : 'no definition produces it'})`),
    ...lockProblems.map((l) => `  lock      ${GENERATED_DIR}/${l.path}  (${l.problem})`),
  ];
  const patches = [...diffs.values()].map((d) => d.text + '\n').join('\n');
  process.stderr.write(`generated/ does not match definitions/:\n${lines.join('\n')}\n${patches ? `\n${patches}` : ''}\nRun \`almac generate\`${lockProblems.length ? ' (and \`almac lock\` for stale locks)' : ''} and commit the result. Generated files must not be edited by hand.\n`);
  return EXIT.failed;
}
