// `check` and `generate` answer from the clean memo (src/output/clean-memo.ts) only when nothing
// changed: after any change to the definitions or to generated/, their output and exit code are
// exactly those of a run without the memo.
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';
import { freshProject, readFilesBytes, runCli, tempDir, type CliResult } from '../helpers/project.js';

const MEMO = join('.almac', 'clean-memo.json');

/**
 * A project whose tree is clean and whose memo says so, recorded by a full `check` of the CLI under
 * test (the memo knows almac by the build that recorded it: src/output/compiler-identity.ts).
 */
async function memoisedProject(): Promise<string> {
  const root = freshProject();
  const r = await runCli(['check', '--root', root]);
  if (r.code !== 0 || !existsSync(join(root, MEMO))) throw new Error(`check of a fresh project did not record a memo: ${r.code} ${r.stderr}`);
  return root;
}

/** What a user sees, with the project's own path replaced. */
const strip = (r: CliResult, root: string) => ({ code: r.code, stdout: r.stdout.replaceAll(root, 'ROOT'), stderr: r.stderr.replaceAll(root, 'ROOT') });

describe('the clean memo', () => {
  it('answers when nothing changed (shown here by a memo whose file count was altered)', async () => {
    const root = await memoisedProject();
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
  async function pair(change: (root: string) => void): Promise<[string, string]> {
    const [a, b] = await Promise.all([memoisedProject(), memoisedProject()]);
    change(a);
    change(b);
    rmSync(join(b, MEMO), { force: true });
    return [a, b];
  }

  it.concurrent.each(changes)('after %s, check reports exactly what it reports without the memo', async (_, change) => {
    const [a, b] = await pair(change);
    const [withMemo, without] = await Promise.all([runCli(['check', '--root', a]), runCli(['check', '--root', b])]);
    expect(strip(withMemo, a)).toEqual(strip(without, b));
  });

  // generate takes the same decision as check (the memo either answers or not); a few cases show
  // that it then writes and reports the same.
  it.concurrent.each(changes.filter(([name]) => /hand edit|stale|error/.test(name)))('after %s, generate does exactly what it does without the memo', async (_, change) => {
    const [a, b] = await pair(change);
    const [withMemo, without] = await Promise.all([runCli(['generate', '--root', a]), runCli(['generate', '--root', b])]);
    expect(strip(withMemo, a)).toEqual(strip(without, b));
    expect(readFilesBytes(join(a, 'generated'))).toEqual(readFilesBytes(join(b, 'generated')));
  });

  it('a tree with a stale package lock is never remembered as clean', async () => {
    // generate carries locks over without judging them; check must still report the stale one.
    const root = await memoisedProject();
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

  // The memo knows a build run from the bundle by the bundle alone; after an edit and a bare `tsc`,
  // almac runs dist/'s modules while the old bundle is still there, and the memo must not answer.
  it('a memo made by a run from the bundle does not answer a run from dist/, nor the other way', async () => {
    const install = tempDir('almac-install-');
    for (const part of ['dist', 'bin', 'templates', 'package.json']) cpSync(join(REPO_ROOT, part), join(install, part), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(install, 'node_modules'));
    const run = (args: string[]) => runCli(args, { cli: join(install, 'bin', 'almac.js') });
    const cli = async (root: string) => (await run(['check', '-q', '--root', root])).code;
    const mark = (root: string) => {
      const memo = JSON.parse(readFileSync(join(root, MEMO), 'utf8'));
      memo.result.files = 424242;
      writeFileSync(join(root, MEMO), JSON.stringify(memo));
    };
    const answered = async (root: string) => (await run(['check', '--root', root])).stdout.includes('(424242 files)');

    const root = freshProject();
    expect(await cli(root)).toBe(0); // from the bundle: records the memo
    mark(root);
    expect(await answered(root)).toBe(true);
    appendFileSync(join(install, 'dist', 'project.js'), '\n// edited, then compiled by a bare tsc\n');
    expect(await answered(root)).toBe(false); // from dist/: the bundle's memo does not answer
    expect(await cli(root)).toBe(0); // records a memo of the dist/ build
    mark(root);
    expect(await answered(root)).toBe(true);
    const edited = readFileSync(join(install, 'dist', 'project.js'), 'utf8');
    writeFileSync(join(install, 'dist', 'project.js'), edited.slice(0, edited.lastIndexOf('\n// edited')));
    expect(await answered(root)).toBe(false); // from the bundle again (its inputs are as built): no answer
  });

  it('a memo copied from another project with other definitions does not answer', async () => {
    const [a, b] = await Promise.all([memoisedProject(), memoisedProject()]);
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
