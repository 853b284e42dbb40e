// `check` and `generate` answer from the clean memo (src/output/clean-memo.ts) only when nothing
// changed: after any change to the definitions or to generated/, their output and exit code are
// exactly those of a run without the memo.
import { appendFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordClean } from '../../src/output/clean-memo.js';
import { readTree } from '../helpers/tree-oracle.js';
import { compileProject } from '../../src/project.js';
import { freshProject, readFilesBytes, runCli, type CliResult } from '../helpers/project.js';

const MEMO = join('.almac', 'clean-memo.json');

/**
 * A project whose tree is clean and whose memo says so, recorded in-process as a full check would
 * (the memo identifies almac by its dist/, which the CLI under test runs).
 */
function memoisedProject(): string {
  const root = freshProject();
  const c = compileProject(root);
  recordClean(root, c.sources, readTree(join(root, 'generated')), { files: c.outputs!.size, images: c.images.length, diagnostics: c.diagnostics });
  return root;
}

/** What a user sees, with the project's own path replaced. */
const strip = (r: CliResult, root: string) => ({ code: r.code, stdout: r.stdout.replaceAll(root, 'ROOT'), stderr: r.stderr.replaceAll(root, 'ROOT') });

describe('the clean memo', () => {
  it('answers when nothing changed (shown here by a memo whose file count was altered)', async () => {
    const root = memoisedProject();
    const memo = JSON.parse(readFileSync(join(root, MEMO), 'utf8'));
    memo.result.files = 424242;
    writeFileSync(join(root, MEMO), JSON.stringify(memo));
    const r = await runCli(['check', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(424242 files)');
  });

  /** The first generated file under dir (containerfiles/, kickstarts/). */
  const firstFile = (root: string, dir: string) => join(root, 'generated', [...readFilesBytes(join(root, 'generated')).keys()].sort().find((p) => p.startsWith(`${dir}/`))!);

  const changes: [string, (root: string) => void][] = [
    ['a hand edit in a generated file', (root) => appendFileSync(firstFile(root, 'containerfiles'), '# edited\n')],
    ['a generated file deleted', (root) => unlinkSync(firstFile(root, 'kickstarts'))],
    ['an orphan in generated/', (root) => (mkdirSync(join(root, 'generated', 'extra')), writeFileSync(join(root, 'generated', 'extra', 'orphan.txt'), 'x\n'))],
    ['a symbolic link in generated/', (root) => symlinkSync('index.json', join(root, 'generated', 'alias.json'))],
    ['a definition edited (a stale tree)', (root) => appendFileSync(join(root, 'definitions', 'images', 'micro.alma'), '\nimage extra-micro extends micro {\n}\n')],
    ['a comment added to a definition (same output, other input)', (root) => appendFileSync(join(root, 'definitions', 'images', 'micro.alma'), '\n# a comment\n')],
    ['a definition with an error', (root) => appendFileSync(join(root, 'definitions', 'images', 'micro.alma'), '\nimage broken {\n')],
    ['the memo corrupted', (root) => writeFileSync(join(root, MEMO), '{"format": 1, "compiler":')],
  ];

  /** Two identical projects after the change; only the first has its memo. */
  function pair(change: (root: string) => void): [string, string] {
    const [a, b] = [memoisedProject(), memoisedProject()];
    change(a);
    change(b);
    rmSync(join(b, MEMO), { force: true });
    return [a, b];
  }

  it.concurrent.each(changes)('after %s, check reports exactly what it reports without the memo', async (_, change) => {
    const [a, b] = pair(change);
    const [withMemo, without] = await Promise.all([runCli(['check', '--root', a]), runCli(['check', '--root', b])]);
    expect(strip(withMemo, a)).toEqual(strip(without, b));
  });

  // generate takes the same decision as check (the memo either answers or not); a few cases show
  // that it then writes and reports the same.
  it.concurrent.each(changes.filter(([name]) => /hand edit|stale|error/.test(name)))('after %s, generate does exactly what it does without the memo', async (_, change) => {
    const [a, b] = pair(change);
    const [withMemo, without] = await Promise.all([runCli(['generate', '--root', a]), runCli(['generate', '--root', b])]);
    expect(strip(withMemo, a)).toEqual(strip(without, b));
    expect(readFilesBytes(join(a, 'generated'))).toEqual(readFilesBytes(join(b, 'generated')));
  });

  it('a tree with a stale package lock is never remembered as clean', async () => {
    // generate carries locks over without judging them; check must still report the stale one.
    const root = memoisedProject();
    const [release, image, arch] = ['9', 'minimal', 'x86_64'];
    mkdirSync(join(root, 'generated', 'locks'), { recursive: true });
    writeFileSync(
      join(root, 'generated', 'locks', `${release}-${image}-${arch}.lock.json`),
      JSON.stringify({ image: `${release}/${image}`, platform: 'linux/amd64', arch, definitionHash: 'sha256:stale', repositories: [], packages: [] }),
    );
    expect((await runCli(['generate', '-q', '--root', root])).code).toBe(0);
    const r = await runCli(['check', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`lock      generated/locks/${release}-${image}-${arch}.lock.json`);
  });

  it('a memo copied from another project with other definitions does not answer', async () => {
    const [a, b] = [memoisedProject(), memoisedProject()];
    appendFileSync(join(b, 'definitions', 'images', 'micro.alma'), '\nimage extra-micro extends micro {\n}\n');
    expect((await runCli(['generate', '-q', '--root', b])).code).toBe(0);
    writeFileSync(join(a, MEMO), readFileSync(join(b, MEMO)));
    const r = await runCli(['check', '--root', a]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/matches definitions\/ \(\d+ files\)/);
    // b's memo describes b's tree, which has more files than a's; a's answer is its own.
    expect(r.stdout).not.toContain(`(${JSON.parse(readFileSync(join(b, MEMO), 'utf8')).result.files} files)`);
  });
});
