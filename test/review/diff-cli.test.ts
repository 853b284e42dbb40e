// `almac diff` on real git repositories holding the project's definitions: the images a change
// affects, and only those, are reported, in text, Markdown and JSON.
import { describe, expect, it } from 'vitest';
import type { DiffReport } from '../../src/review/model.js';
import { dirname } from 'node:path';
import { compileSources } from '../../src/project.js';
import { definitionSources, runCli, tempDir } from '../helpers/project.js';
import { projectRepo, type Repo } from './repo.js';

const BASE = 'definitions/images/base.alma';
const COMMON = 'definitions/fragments/common.alma';
/** How many release × image pairs the project's definitions resolve to. */
const IMAGES = compileSources('/project', definitionSources(), { render: false }).images.length;

/** Adds `install foo` to release 9 of the shared `base` image (inherited by init and toolbox). */
function addFooToBase9(repo: Repo): void {
  repo.edit(BASE, '  use krb5-langs\n', '  when release = 9 {\n    install foo\n  }\n  use krb5-langs\n');
}

const almacDiff = (repo: Repo, ...args: string[]) => runCli(['diff', '--root', repo.root, ...args], { cwd: repo.root });

async function diffJson(repo: Repo, ...args: string[]): Promise<DiffReport> {
  const r = await almacDiff(repo, ...args, '--json');
  if (r.code !== 0) throw new Error(`almac diff failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as DiffReport;
}

describe('almac diff', () => {
  it('names exactly the images a change to the shared base of release 9 affects', async () => {
    const repo = projectRepo();
    repo.git('checkout', '--quiet', '-b', 'feature');
    addFooToBase9(repo);
    repo.commit('base 9 gets foo');

    // Default BASE: the merge-base with main; default HEAD: the working tree.
    const report = await diffJson(repo);
    expect(report.images.map((i) => [i.id, i.status, i.changes])).toEqual(
      ['9/base', '9/init', '9/toolbox'].map((id) => [id, 'changed', [{ category: 'packages', kind: 'added', subject: 'install foo' }]]),
    );
    expect(report.unchanged).toHaveLength(IMAGES - 3);
    expect(report.unchanged).toEqual(expect.arrayContaining(['9/default', '9/minimal', '9/micro', '8/base', '10/base']));
    expect(report.base.commit).toBe(repo.git('rev-parse', 'main'));
    expect(report.head).toEqual({ label: 'working tree' });

    const text = await almacDiff(repo);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${IMAGES} images compared: 3 changed, ${IMAGES - 3} unchanged.`);
    expect(text.stdout).toMatch(/^9\/init {2}— 1 change\n {2}packages:\n {4}\+ install foo$/m);

    const md = await almacDiff(repo, '--format', 'markdown');
    expect(md.code).toBe(0);
    const rows = md.stdout.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toEqual(['| `9/base` | changed | 1 |', '| `9/init` | changed | 1 |', '| `9/toolbox` | changed | 1 |']);
    expect(md.stdout.match(/<details>/g)).toHaveLength(3);
    expect(md.stdout).toContain('<summary><code>9/toolbox</code> (changed): 1 change</summary>');
    expect(md.stdout.split('\n').filter((l) => l.startsWith(`**Unchanged (${IMAGES - 3}):**`))).toHaveLength(1);
  });

  it('compares two named revisions without touching the working tree', async () => {
    const repo = projectRepo();
    const first = repo.git('rev-parse', 'HEAD');
    addFooToBase9(repo);
    const second = repo.commit('base 9 gets foo');
    repo.edit(BASE, 'install foo', 'install bar'); // uncommitted: must not be seen
    const report = await diffJson(repo, first, second);
    expect(report.images.map((i) => i.id)).toEqual(['9/base', '9/init', '9/toolbox']);
    expect(report.images[0]!.changes).toEqual([{ category: 'packages', kind: 'added', subject: 'install foo' }]);
    expect(report.base.label).toBe(`${first.slice(0, 12)}`);
    expect(repo.git('status', '--porcelain')).toBe(`M definitions/images/base.alma`);
  });

  it('reports a changed operation once, with its old and new form, and config changes per key', async () => {
    const repo = projectRepo();
    repo.edit(COMMON, 'write /etc/dnf/vars/infra "container\\n"', 'write /etc/dnf/vars/infra "oci\\n"');
    repo.edit('definitions/images/micro.alma', 'cmd ["/bin/sh"]', 'cmd ["/bin/bash"]\n    env TERM xterm');
    const report = await diffJson(repo, 'HEAD');
    // container-root is used by every image.
    expect(report.images).toHaveLength(IMAGES);
    const micro9 = report.images.find((i) => i.id === '9/micro')!;
    expect(micro9.changes).toEqual([
      { category: 'operations', kind: 'changed', subject: 'write /etc/dnf/vars/infra', before: 'write /etc/dnf/vars/infra "container\\n"', after: 'write /etc/dnf/vars/infra "oci\\n"' },
      { category: 'config', kind: 'changed', subject: 'CMD', before: '["/bin/sh"]', after: '["/bin/bash"]' },
      { category: 'config', kind: 'added', subject: 'ENV TERM', after: 'xterm' },
    ]);
  });

  it('sees nothing when only the layout of the definitions changed', async () => {
    const repo = projectRepo();
    repo.write(BASE, repo.read(BASE).replace(/^ {2}/gm, '\t').replace(/\n/g, '\n\n'));
    repo.edit(COMMON, '# What every image shares, whatever its type.', '# A comment, reworded.');
    const r = await almacDiff(repo, 'HEAD');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${IMAGES} images compared: ${IMAGES} unchanged.`);
  });

  it('lists images that appear or disappear', async () => {
    const repo = projectRepo();
    repo.edit('definitions/images/init.alma', 'image init extends base {', 'image systemd extends base {');
    const report = await diffJson(repo, 'HEAD');
    const statuses = report.images.map((i) => `${i.id} ${i.status}`);
    expect(statuses.filter((s) => s.endsWith('removed')).sort()).toEqual(['10-kitten/init removed', '10/init removed', '8/init removed', '9/init removed']);
    expect(statuses.filter((s) => s.endsWith('added')).sort()).toEqual(['10-kitten/systemd added', '10/systemd added', '8/systemd added', '9/systemd added']);
    const added = report.images.find((i) => i.id === '9/systemd')!;
    expect(added.changes).toContainEqual({ category: 'packages', kind: 'added', subject: 'install procps-ng' });
    expect(added.changes).toContainEqual({ category: 'naming', kind: 'added', subject: 'repository', after: 'almalinux/9-systemd' });
  });

  it('falls back to HEAD as the base when there is no main branch', async () => {
    const repo = projectRepo({ branch: 'trunk' });
    addFooToBase9(repo);
    const report = await diffJson(repo);
    expect(report.base.label).toBe(`${repo.git('rev-parse', 'HEAD').slice(0, 12)} (HEAD)`);
    expect(report.images.map((i) => i.id)).toEqual(['9/base', '9/init', '9/toolbox']);
  });

  it('works for a project in a subdirectory of its repository', async () => {
    const repo = projectRepo({ subdir: 'images/almalinux' });
    addFooToBase9(repo);
    repo.commit('foo');
    const report = await diffJson(repo, 'HEAD~1', 'HEAD');
    expect(report.images.map((i) => i.id)).toEqual(['9/base', '9/init', '9/toolbox']);
  });

  it('treats a revision from before the project had definitions as having no images', async () => {
    const repo = projectRepo();
    repo.git('rm', '--quiet', '-r', 'definitions');
    const empty = repo.commit('no definitions yet');
    repo.git('revert', '--no-edit', '--no-gpg-sign', 'HEAD');
    const report = await diffJson(repo, empty);
    expect(report.images.map((i) => i.status)).toEqual(new Array(IMAGES).fill('added'));
  });

  it('exits 2 with a clear message for a revision that names nothing', async () => {
    const repo = projectRepo();
    const r = await almacDiff(repo, 'no-such-branch');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: `no-such-branch` does not name a commit in this repository (try a branch, a tag or a commit hash)\n');
    expect(r.stdout).toBe('');
  });

  it('exits 2 outside a git repository', async () => {
    const dir = tempDir('almac-no-repo-');
    // Git must not find a repository above the temporary directory either.
    const r = await runCli(['diff', '--root', dir], { cwd: dir, env: { GIT_CEILING_DIRECTORIES: dirname(dir) } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${dir} is not inside a git repository; almac diff compares git revisions\n`);
  });

  it('exits 1 and shows the diagnostics when a side does not compile', async () => {
    const repo = projectRepo();
    repo.edit(BASE, 'install [', 'instal [');
    const r = await almacDiff(repo, 'HEAD');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The definitions in working tree have errors');
    expect(r.stderr).toContain('--> definitions/images/base.alma:7:3');
    expect(r.stdout).toBe('');
  });
});
