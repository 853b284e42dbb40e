// `almac outdated` against real repositories: the fixture repository (scripts/make-fixture-repo.sh),
// locks of every 9/* image resolved from it by the host's dnf (`almac lock`), and later snapshots
// written by scripts/make-update-snapshot.sh with createrepo_c + modifyrepo_c: a Critical update of
// libcurl-minimal, an Important one of gdb-gdbserver (only base, init and toolbox install it) and a
// Moderate one of less (only default).
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedReference } from '../../src/outdated/published.js';
import { DAILY_CRON, MONTHLY_CRON, OUTDATED_REPORT, UPDATES_WORKFLOW_FILE } from '../../src/phases/4-render/updates-workflow.js';
import { compileProject } from '../../src/project.js';
import { parseRegistryMap } from '../../src/publish/registry-map.js';
import { parseYamlSubset } from '../scaleout/yaml-subset.js';
import { publishFakeImage } from './published-images.js';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'bin/almac.js');
const haveTools = ['rpmbuild', 'createrepo_c', 'modifyrepo_c'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0) && spawnSync('/usr/bin/python3', ['-c', 'import dnf']).status === 0;
const haveRegistry = ['docker-registry', 'skopeo', 'jq'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
const ALL = ['9/base', '9/default', '9/init', '9/micro', '9/minimal', '9/toolbox'];

interface Report {
  rebuild: string[];
  images: { image: string; needsRebuild: boolean; source: string; unpublished?: string; updates: { name: string; from: string; to: string; qualifies: boolean; advisories: { id: string; type: string; severity: string }[] }[] }[];
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
    if (process.env['ALMAC_OUTDATED_REPORT']) writeFileSync(process.env['ALMAC_OUTDATED_REPORT'], r.stdout); // for a look at a real one
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

  describe.skipIf(!haveRegistry)('--published: package sets from the SBOMs of published images (docker-registry, skopeo)', () => {
    let registry: string;
    let address: string;
    let maps: string[];
    const published = async (snapshot: string, extra: string[] = []) => {
      const r = await almac(['outdated', '9', '--platform', 'linux/amd64', '--repo', `fixture=file://${snap[snapshot]}`, '--published', ...maps, ...extra]);
      if (r.status !== 0 && r.status !== 100) throw new Error(`almac outdated exited ${r.status}:\n${r.stderr}`);
      return r;
    };

    beforeAll(async () => {
      const run = promisify(execFile);
      registry = join(work, 'registry');
      address = (await run('bash', [join(ROOT, 'scripts/test-registry.sh'), 'start', registry])).stdout.trim();
      // Every declared registry location, redirected to the one local registry.
      const c = compileProject(project, { render: false });
      const locations = [...new Set(c.images.flatMap((i) => i.publish.map((t) => t.location)))];
      maps = locations.flatMap((l) => ['--registry-map', `${l}=${address}/${l.replace(/[^a-z0-9]+/g, '-')}`]);
      const mapping = parseRegistryMap(maps.filter((_, i) => i % 2 === 1));
      const lockOf = (id: string) => JSON.parse(readFileSync(join(project, `generated/locks/9-${id.split('/')[1]}-x86_64.lock.json`), 'utf8')).packages as { name: string; epoch: number; version: string; release: string; arch: string }[];
      for (const id of ['9/base', '9/default', '9/minimal', '9/toolbox']) {
        await publishFakeImage(work, id, publishedReference(c.images.find((i) => i.id === id)!, mapping), lockOf(id));
      }
      // 9/init is published without an SBOM; 9/micro was never published.
      await publishFakeImage(work, '9/init', publishedReference(c.images.find((i) => i.id === '9/init')!, mapping));
    }, 300_000);

    afterAll(async () => {
      if (registry) await promisify(execFile)('bash', [join(ROOT, 'scripts/test-registry.sh'), 'stop', registry]).catch(() => undefined);
    });

    it('compares what was published: the SBOM beside each platform image; never-published images and images without an SBOM are rebuilt', async () => {
      const r = await published('important', ['--severity', 'important', '--json']);
      expect(r.status).toBe(100);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.rebuild).toEqual(['9/base', '9/init', '9/micro', '9/toolbox']);
      const by = (id: string) => report.images.find((i) => i.image === id)!;
      expect(by('9/base').source).toMatch(new RegExp(`^sbom ${address.replace(/\./g, '\\.')}/[a-z0-9-]+/9-base:sha256-[0-9a-f]{64}\\.sbom$`));
      expect(by('9/base').updates.map((u) => [u.name, u.qualifies])).toEqual([['gdb-gdbserver', true]]);
      expect(by('9/minimal')).toMatchObject({ needsRebuild: false, updates: [] });
      expect(by('9/init').unpublished).toMatch(/has no SBOM at .*:sha256-[0-9a-f]{64}\.sbom$/);
      expect(by('9/micro').unpublished).toMatch(/9-micro:[^ ]+ does not exist: never published$/);
      // Against the repository the published images were made from, only the two that cannot be read.
      expect(JSON.parse((await published('base', ['--json'])).stdout).rebuild).toEqual(['9/init', '9/micro']);
      const md = await published('critical', ['--severity', 'important', '--format', 'markdown']);
      expect(md.stdout).toContain('| libcurl-minimal.x86\\_64 | 7.76.1-31.el9 | 7.76.1-32.el9 | ALSA-2025:9001 (security, Critical) |');
      expect(md.stdout).toContain('### 9/micro (linux/amd64)\n\nRebuilt because its published package set could not be read:');
    });

    it('the generated workflow\'s daily step selects exactly those images, with the changelog in the job summary; the monthly run selects every image', async () => {
      const workflow = parseYamlSubset(readFileSync(join(project, 'generated', UPDATES_WORKFLOW_FILE), 'utf8')) as { jobs: { outdated: { steps: { id?: string; run?: string }[] } } };
      const script = workflow.jobs.outdated.steps.find((s) => s.id === 'select')!.run!;
      const index = JSON.parse(readFileSync(join(project, 'generated/index.json'), 'utf8')) as { images: { id: string }[] };
      // `npx almac …` is this checkout's almac, pointed at the fixture snapshot and the local registry.
      const bin = join(work, 'bin');
      mkdirSync(bin, { recursive: true });
      const shim = (snapshot: string) => writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = almac ] || exit 99\nshift\nexec node '${CLI}' "$@" --root '${project}' --platform linux/amd64 --repo 'fixture=file://${snap[snapshot]}' ${maps.map((m) => `'${m}'`).join(' ')}\n`, { mode: 0o755 });
      const step = async (schedule: string) => {
        const out = join(work, 'github-output');
        const summary = join(work, 'step-summary');
        writeFileSync(out, '');
        writeFileSync(summary, '');
        const r = await new Promise<{ code: number }>((res) => {
          // How GitHub runs a `run:` step with the default shell.
          execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: project, env: { ...process.env, PATH: `${bin}:${process.env['PATH']}`, GITHUB_OUTPUT: out, GITHUB_STEP_SUMMARY: summary, SCHEDULE: schedule, REBUILD: '' } }, (err) => res({ code: err ? Number(err.code) : 0 }));
        });
        const line = readFileSync(out, 'utf8').split('\n').find((l) => l.startsWith('include='));
        return { code: r.code, include: line ? (JSON.parse(line.slice('include='.length)) as { id: string; target: string }[]) : undefined, summary: readFileSync(summary, 'utf8') };
      };
      shim('important');
      const daily = await step(DAILY_CRON);
      expect(daily.code).toBe(0);
      // Release 9 as above; the other releases were never published here, so they are rebuilt too.
      const expected = index.images.map((i) => i.id).filter((id) => !['9/default', '9/minimal'].includes(id));
      expect(daily.include!.map((i) => i.id)).toEqual(expected);
      expect(daily.include!.find((i) => i.id === '9/base')!.target).toBe('9-base');
      expect(daily.summary).toContain('## Package updates');
      expect(daily.summary).toContain('| gdb-gdbserver.x86\\_64 | 10.2-13.el9 | 10.2-14.el9 | ALSA-2025:9002 (security, Important) |');
      expect(JSON.parse(readFileSync(join(project, OUTDATED_REPORT), 'utf8')).rebuild).toEqual(expected);
      const monthly = await step(MONTHLY_CRON);
      expect(monthly.code).toBe(0);
      expect(monthly.include!.map((i) => i.id)).toEqual(index.images.map((i) => i.id));
      expect(monthly.summary).toContain('Monthly rebuild: every image is rebuilt and published.');
      // A gate that cannot read the repositories fails the job and selects nothing.
      writeFileSync(join(bin, 'npx'), `#!/bin/sh\nshift\nexec node '${CLI}' "$@" --root '${project}' --platform linux/amd64 --repo fixture=http://127.0.0.1:9/repo/ ${maps.map((m) => `'${m}'`).join(' ')}\n`, { mode: 0o755 });
      const broken = await step(DAILY_CRON);
      expect(broken.code).toBe(3);
      expect(broken.include).toBeUndefined();
    });

    it('says what is wrong with a registry map or an unreachable registry', async () => {
      const bad = await almac(['outdated', '9/minimal', '--published', '--registry-map', 'nonsense']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('--registry-map "nonsense": expected SRC=DEST');
      const lockOnly = await almac(['outdated', '9/minimal', '--registry-map', `quay.io/almalinuxorg=${address}/x`]);
      expect(lockOnly.status).toBe(2);
      expect(lockOnly.stderr).toContain('--registry-map applies only to --published');
      const down = await almac(['outdated', '9/minimal', '--platform', 'linux/amd64', '--repo', `fixture=file://${snap['base']}`, '--published', ...maps.map((m) => m.replace(address, '127.0.0.1:9'))]);
      expect(down.status).toBe(3);
      expect(down.stderr).toContain('reading the published image: skopeo inspect failed');
    });
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
