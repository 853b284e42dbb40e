// `almac outdated` against real repositories: the fixture repository (scripts/make-fixture-repo.sh),
// locks of every 9/* image resolved from it by the host's dnf (`almac lock`), and later snapshots
// written by scripts/make-update-snapshot.sh with createrepo_c + modifyrepo_c: a Critical update of
// libcurl-minimal, an Important one of gdb-gdbserver (only base, init and toolbox install it) and a
// Moderate one of less (only default).
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'bin/almac.js');
const haveTools = ['rpmbuild', 'createrepo_c', 'modifyrepo_c'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0) && spawnSync('/usr/bin/python3', ['-c', 'import dnf']).status === 0;
const ALL = ['9/base', '9/default', '9/init', '9/micro', '9/minimal', '9/toolbox'];

interface Report {
  rebuild: string[];
  images: { image: string; needsRebuild: boolean; updates: { name: string; from: string; to: string; qualifies: boolean; advisories: { id: string; type: string; severity: string }[] }[] }[];
}

describe.skipIf(!haveTools)('almac outdated (needs rpmbuild, createrepo_c, modifyrepo_c and dnf: bash scripts/setup-engine.sh)', () => {
  let work: string;
  let project: string;
  const snap: Record<string, string> = {};

  // Asynchronous, so a slow machine never starves vitest's worker RPC.
  const almac = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((res) => {
      execFile('node', [CLI, ...args, '--root', project], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        res({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  const outdated = async (snapshot: string, extra: string[] = []) => {
    const r = await almac(['outdated', '9', '--platform', 'linux/amd64', '--repo', `fixture=file://${snap[snapshot]}`, '--json', ...extra]);
    if (r.status !== 0 && r.status !== 100) throw new Error(`almac outdated exited ${r.status}:\n${r.stderr}`);
    return { code: r.status, report: JSON.parse(r.stdout) as Report };
  };
  const lockHas = (image: string, pkg: string) =>
    (JSON.parse(readFileSync(join(project, `generated/locks/9-${image.split('/')[1]}-x86_64.lock.json`), 'utf8')).packages as { name: string }[]).some((p) => p.name === pkg);

  // Asynchronous set-up: a blocked event loop starves vitest's worker RPC.
  beforeAll(async () => {
    const run = promisify(execFile);
    work = mkdtempSync(join(tmpdir(), 'almac-outdated-test-'));
    const repo = join(work, 'repo');
    await run('bash', [join(ROOT, 'scripts/make-fixture-repo.sh'), repo]);
    for (const [name, advisories] of [['all', 'critical,important,moderate'], ['critical', 'critical'], ['important', 'important'], ['moderate', 'moderate']]) {
      snap[name!] = join(work, `snapshot-${name}`);
      await run('bash', [join(ROOT, 'scripts/make-update-snapshot.sh'), repo, snap[name!]!, '--advisories', advisories!]);
    }
    snap['base'] = repo;
    project = join(work, 'project');
    for (const d of ['definitions', 'generated']) cpSync(join(ROOT, d), join(project, d), { recursive: true });
    await run('node', [CLI, 'lock', '9', '--platform', 'linux/amd64', '--repo', `fixture=file://${repo}`, '--root', project]).catch((e: { stderr?: string }) => {
      throw new Error(`almac lock failed:\n${e.stderr ?? String(e)}`);
    });
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('finds nothing against the repository the images were locked from', async () => {
    const { code, report } = await outdated('base');
    expect(code).toBe(0);
    expect(report.rebuild).toEqual([]);
    expect(report.images.map((i) => i.image)).toEqual(ALL);
  });

  it('selects the images with a Critical-only update under --severity important (upstream\'s gate would not)', async () => {
    const { code, report } = await outdated('critical', ['--severity', 'important']);
    expect(code).toBe(100);
    const expected = ALL.filter((i) => lockHas(i, 'libcurl-minimal'));
    expect(expected).not.toContain('9/micro');
    expect(expected.length).toBe(5);
    expect(report.rebuild).toEqual(expected);
    const u = report.images.find((i) => i.image === '9/minimal')!.updates;
    expect(u).toEqual([{ name: 'libcurl-minimal', arch: 'x86_64', from: '7.76.1-31.el9', to: '7.76.1-32.el9', repository: 'fixture', qualifies: true, advisories: [{ id: 'ALSA-2025:9001', type: 'security', severity: 'Critical', title: 'Critical: libcurl-minimal security update' }] }]);
    // --severity critical still selects them; --severity moderate too (Critical is above Moderate).
    expect((await outdated('critical', ['--severity', 'critical'])).report.rebuild).toEqual(expected);
    expect((await outdated('critical', ['--security', '--severity', 'moderate'])).report.rebuild).toEqual(expected);
  });

  it('selects nothing for a Moderate-only update under --severity important, but lists it without the filter', async () => {
    const filtered = await outdated('moderate', ['--severity', 'important']);
    expect(filtered.code).toBe(0);
    expect(filtered.report.rebuild).toEqual([]);
    const def = filtered.report.images.find((i) => i.image === '9/default')!;
    expect(def.updates.map((u) => [u.name, u.qualifies])).toEqual([['less', false]]);
    const all = await outdated('moderate');
    expect(all.code).toBe(100);
    expect(all.report.rebuild).toEqual(['9/default']);
    expect(all.report.images.find((i) => i.image === '9/default')!.updates[0]).toMatchObject({ name: 'less', from: '590-5.el9', to: '590-6.el9', advisories: [{ id: 'ALSA-2025:9003', severity: 'Moderate' }] });
    const text = await almac(['outdated', '9', '--platform', 'linux/amd64', '--repo', `fixture=file://${snap['moderate']}`, '--severity', 'important']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('9/default (linux/amd64): no qualifying update, 1 other update below the filter');
  });

  it('selects only the images that contain the updated package', async () => {
    const { code, report } = await outdated('important', ['--severity', 'important']);
    expect(code).toBe(100);
    expect(report.rebuild).toEqual(['9/base', '9/init', '9/toolbox']);
    for (const i of report.images) expect(i.needsRebuild).toBe(lockHas(i.image, 'gdb-gdbserver'));
    const list = await almac(['outdated', '9', '--platform', 'linux/amd64', '--repo', `fixture=file://${snap['important']}`, '--format', 'list']);
    expect(list.status).toBe(100);
    expect(list.stdout).toBe('9/base\n9/init\n9/toolbox\n');
  });

  it('writes a Markdown changelog per image with versions and advisory ids', async () => {
    const r = await almac(['outdated', '9', '--platform', 'linux/amd64', '--repo', `fixture=file://${snap['all']}`, '--format', 'markdown', '--severity', 'important']);
    expect(r.status).toBe(100);
    expect(r.stdout).toContain('### 9/base (linux/amd64)');
    expect(r.stdout).toContain('| gdb-gdbserver.x86\\_64 | 10.2-13.el9 | 10.2-14.el9 | ALSA-2025:9002 (security, Important) |');
    expect(r.stdout).toContain('| libcurl-minimal.x86\\_64 | 7.76.1-31.el9 | 7.76.1-32.el9 | ALSA-2025:9001 (security, Critical) |');
    expect(r.stdout).toContain('Also updated, below the filter: less 590-5.el9 → 590-6.el9.');
    expect(r.stdout).toContain('No rebuild needed: `9/micro`.');
    writeFileSync(join(work, 'changelog.md'), r.stdout);
  });

  it('reads the package set from a build manifest instead of the lock', async () => {
    const lock = JSON.parse(readFileSync(join(project, 'generated/locks/9-micro-x86_64.lock.json'), 'utf8')) as { packages: { name: string; epoch: number; version: string; release: string; arch: string }[] };
    const manifest = join(work, 'manifest.txt');
    // micro's own packages, plus the old libcurl-minimal: as if it had been built with it.
    const lines = [...lock.packages.map((p) => `${p.name}-${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`), 'libcurl-minimal-7.76.1-31.el9.x86_64'];
    writeFileSync(manifest, lines.sort().join('\n') + '\n');
    const r = await almac(['outdated', '9/micro', '--platform', 'linux/amd64', '--repo', `fixture=file://${snap['critical']}`, '--package-set', `9/micro=${manifest}`, '--json']);
    expect(r.status).toBe(100);
    expect((JSON.parse(r.stdout) as Report).rebuild).toEqual(['9/micro']);
  });

  it('reports bad input clearly', async () => {
    const bad = await almac(['outdated', '9', '--severity', 'urgent']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--severity takes one of low, moderate, important, critical, not `urgent`');
    rmSync(join(project, 'generated/locks/9-micro-x86_64.lock.json'));
    const missing = await almac(['outdated', '9/micro', '--platform', 'linux/amd64', '--repo', `fixture=file://${snap['all']}`]);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toContain('run `almac lock 9/micro`');
    // a local directory that is not there is a command-line error, as for build and lock (one --repo grammar)
    const norepo = await almac(['outdated', '9/minimal', '--platform', 'linux/amd64', '--repo', `fixture=file://${join(work, 'nope')}`]);
    expect(norepo.status).toBe(2);
    expect(norepo.stderr).toContain(`--repo fixture: ${join(work, 'nope')} is not a directory`);
    // a repository that cannot be reached is a failure outside the definitions
    const unreachable = await almac(['outdated', '9/minimal', '--platform', 'linux/amd64', '--repo', 'fixture=http://127.0.0.1:9/repo/']);
    expect(unreachable.status).toBe(3);
    expect(unreachable.stderr).toContain('127.0.0.1:9/repo/repodata/repomd.xml');
    expect(existsSync(join(project, 'generated/locks/9-minimal-x86_64.lock.json'))).toBe(true);
  });
});
