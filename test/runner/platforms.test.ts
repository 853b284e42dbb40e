// Multi-platform builds, the parts that need no engine: --sysbase per platform, the builder image
// identified by id and architecture (a multi-platform SYSBASE pulled per platform), --repo
// directories with $basearch/$releasever, OCI platforms with their variants, and the identity check.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileProject } from '../../src/project.js';
import { checkSysbasePlatforms, ensureSysbase, parseSysbaseOptions, sysbaseFor } from '../../src/runner/build/sysbase.js';
import type { RunContext } from '../../src/runner/build/run-context.js';
import { EnvironmentError, UsageError, type ExecResult, type ImageInfo, type ImageRecord } from '../../src/runner/engine/index.js';
import { checkIdentity } from '../../src/runner/identity.js';
import type { JobContext, JobPlan } from '../../src/runner/job.js';
import { architectureMatches, ociPlatform } from '../../src/runner/platform.js';
import { parseRepoOptions, repoForBuild, RepoOptionError } from '../../src/runner/repos.js';
import { REPO_ROOT } from '../helpers/paths.js';

const project = compileProject(REPO_ROOT, { render: false });
const minimal = project.images.find((s) => s.id === '9/minimal')!;
const micro = project.images.find((s) => s.id === '9/micro')!;
const plat = (name: string) => minimal.platforms.find((p) => p.name === name)!;
const tmp = mkdtempSync(join(tmpdir(), 'almac-platforms-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('--sysbase', () => {
  it('takes one image for every platform and PLATFORM=IMAGE for one', () => {
    const c = parseSysbaseOptions(['b:all', 'linux/arm64=b:arm', '386=b:i386']);
    expect(sysbaseFor(c, minimal, plat('linux/amd64'))).toBe('b:all');
    expect(sysbaseFor(c, minimal, plat('linux/arm64'))).toBe('b:arm');
    expect(sysbaseFor(c, minimal, plat('linux/386'))).toBe('b:i386');
    expect(sysbaseFor(parseSysbaseOptions(['linux/arm64=b:arm']), minimal, plat('linux/amd64'))).toBe(minimal.builder);
  });

  it('rejects malformed values, repeats and undeclared platforms', () => {
    const bad = (args: string[]) => {
      try {
        checkSysbasePlatforms(parseSysbaseOptions(args), project.images.flatMap((s) => s.platforms));
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(bad(['a', 'b'])).toMatch(/given twice/);
    expect(bad(['linux/arm64=a', 'linux/arm64=b'])).toMatch(/linux\/arm64= is given twice/);
    expect(bad(['linux/arm64='])).toMatch(/expects IMAGE or PLATFORM=IMAGE/);
    expect(bad(['linux/arm46=a'])).toBe('--sysbase linux/arm46=…: no such platform; did you mean `linux/arm64`?');
    expect(bad(['windows/zz=a'])).toMatch(/no such platform; declared: linux\/386, linux\/amd64, .*linux\/arm64/);
    expect(bad(['linux/arm64=a', 'img'])).toBe('no error');
  });
});

// An engine that knows a few images with their architectures; pulls move the tag.
class FakeEngine {
  calls: string[] = [];
  images = new Map<string, { names: string[]; architecture: string }>();
  remote: Record<string, Record<string, string>> = {}; // ref → architecture → id
  async listImages(): Promise<ImageRecord[]> {
    return [...this.images].map(([id, i]) => ({ id, names: i.names, size: 1 }));
  }
  async inspect(id: string): Promise<ImageInfo> {
    const i = this.images.get(id)!;
    return { id, size: 1, architecture: i.architecture, os: 'linux', env: {}, labels: {}, layers: 1, repoTags: i.names };
  }
  async pull(ref: string, _sink: unknown, o: { platform?: string } = {}): Promise<ExecResult> {
    this.calls.push(`pull ${o.platform} ${ref}`);
    const arch = ociPlatform(o.platform ?? 'linux/amd64').architecture;
    const id = this.remote[ref]?.[arch];
    const res = { argv: [], signal: null, timedOut: false, aborted: false, durationMs: 0 };
    if (!id) return { ...res, code: 125, stdout: '', stderr: `no image for ${o.platform}` };
    for (const i of this.images.values()) i.names = i.names.filter((n) => n !== ref);
    this.images.set(id, { names: [ref], architecture: arch });
    return { ...res, code: 0, stdout: `${id}\n`, stderr: '' };
  }
}

const idOf = (c: string) => c.repeat(64);
function harness(engine: FakeEngine) {
  const run = { engine, images: [] as ImageRecord[], pulls: new Map() } as unknown as RunContext;
  const ctx = { dryRun: false, step: () => {} } as unknown as JobContext;
  const job = (sysbaseRef: string, platform: string) => ({ sysbaseRef, platform: plat(platform), spec: minimal }) as unknown as JobPlan;
  return { run, ctx, job };
}

describe('the builder image of each platform', () => {
  it('pulls a multi-platform SYSBASE once per platform and tells them apart by id, not by the tag', async () => {
    const e = new FakeEngine();
    e.remote['quay.io/almalinuxorg/almalinux:9'] = { amd64: idOf('a'), arm64: idOf('b') };
    const { run, ctx, job } = harness(e);
    const [amd, arm, amd2] = await Promise.all([
      ensureSysbase(job('quay.io/almalinuxorg/almalinux:9', 'linux/amd64'), run, ctx),
      ensureSysbase(job('quay.io/almalinuxorg/almalinux:9', 'linux/arm64'), run, ctx),
      ensureSysbase(job('quay.io/almalinuxorg/almalinux:9', 'linux/amd64'), run, ctx),
    ]);
    expect([amd, arm, amd2]).toEqual([idOf('a'), idOf('b'), idOf('a')]);
    expect(e.calls).toEqual(['pull linux/amd64 quay.io/almalinuxorg/almalinux:9', 'pull linux/arm64 quay.io/almalinuxorg/almalinux:9']);
  });

  it('uses a local builder of the right architecture, and explains one of the wrong architecture', async () => {
    const e = new FakeEngine();
    e.images.set(idOf('c'), { names: ['localhost/almac-builder:bookworm'], architecture: 'amd64' });
    const { run, ctx, job } = harness(e);
    run.images = await e.listImages();
    expect(await ensureSysbase(job('localhost/almac-builder:bookworm', 'linux/amd64'), run, ctx)).toBe(idOf('c'));
    const err = await ensureSysbase(job('localhost/almac-builder:bookworm', 'linux/arm64'), run, ctx).catch((x: Error) => x);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toBe('the builder image localhost/almac-builder:bookworm is linux/amd64, but 9/minimal is being built for linux/arm64: give a builder of that platform with --sysbase linux/arm64=IMAGE');
    expect(e.calls).toEqual([]); // a localhost/ image is never pulled
  });

  it('refuses a pulled image whose registry has no such platform', async () => {
    const e = new FakeEngine();
    e.remote['r.example/b:1'] = { amd64: idOf('d') };
    const { run, ctx, job } = harness(e);
    const err = await ensureSysbase(job('r.example/b:1', 'linux/arm64'), run, ctx).catch((x: Error) => x);
    expect((err as Error).message).toMatch(/^the builder image r\.example\/b:1 is not in the store and cannot be pulled for linux\/arm64: no image for linux\/arm64/);
  });
});

describe('--repo with $basearch and $releasever', () => {
  for (const a of ['x86_64', 'aarch64']) {
    mkdirSync(join(tmp, `9-${a}`, 'repodata'), { recursive: true });
    writeFileSync(join(tmp, `9-${a}`, 'repodata', 'repomd.xml'), '<repomd/>');
  }

  it('expands a directory per release and platform, and checks each', () => {
    const [r] = parseRepoOptions(['fx=$releasever-$basearch'], tmp);
    expect(r!.dir).toBe(join(tmp, '$releasever-$basearch'));
    expect(repoForBuild(r!, { releasever: '9', basearch: 'aarch64' }).dir).toBe(join(tmp, '9-aarch64'));
    expect(repoForBuild(parseRepoOptions(['fx=${releasever}-${basearch}'], tmp)[0]!, { releasever: '9', basearch: 'x86_64' }).dir).toBe(join(tmp, '9-x86_64'));
    expect(() => repoForBuild(r!, { releasever: '9', basearch: 'i686' })).toThrow(RepoOptionError);
    expect(() => repoForBuild(r!, { releasever: '9', basearch: 'i686' })).toThrow(`--repo fx: ${join(tmp, '9-i686')} ($releasever-$basearch for this build) is not a directory`);
  });

  it('leaves URLs to the package cache, which serves them per release and architecture', () => {
    const [u] = parseRepoOptions(['baseos=https://m.example/$releasever/BaseOS/$basearch/os'], tmp);
    expect(repoForBuild(u!, { releasever: '9', basearch: 'aarch64' })).toBe(u);
  });
});

describe('OCI platforms', () => {
  it('sets the variants podman drops', () => {
    expect(ociPlatform('linux/arm64')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(ociPlatform('linux/amd64/v2')).toEqual({ os: 'linux', architecture: 'amd64', variant: 'v2' });
    expect(ociPlatform('linux/386')).toEqual({ os: 'linux', architecture: '386' });
    expect(architectureMatches('linux/amd64/v2', { architecture: 'amd64', os: 'linux' })).toBe(true);
    expect(architectureMatches('linux/arm64', { architecture: 'amd64' })).toBe(false);
  });
});

describe('the identity check', () => {
  const root = join(tmp, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  const probe = (arch: string, uname: string, rpmDb?: string) => ({ root, rpmDb, rpmArch: async () => arch, unameM: async () => uname });

  it('checks the release line and the architecture from rpm, or from uname -m without an rpm database', async () => {
    writeFileSync(join(root, 'etc', 'almalinux-release'), `AlmaLinux release ${minimal.version} (Fixture)\n`);
    expect(await checkIdentity(minimal, plat('linux/arm64'), probe('aarch64', '', '/var/lib/rpm'))).toEqual({ ok: true, detail: `AlmaLinux release ${minimal.version} (Fixture); rpm arch aarch64` });
    expect((await checkIdentity(minimal, plat('linux/arm64'), probe('x86_64', '', '/var/lib/rpm'))).detail).toMatch(/almalinux-release is built for x86_64, expected aarch64$/);
    expect((await checkIdentity(micro, plat('linux/arm64'), probe('', 'aarch64'))).ok).toBe(true);
    expect((await checkIdentity(micro, plat('linux/386'), probe('', 'x86_64'))).ok).toBe(true);
    expect((await checkIdentity(micro, plat('linux/arm64'), probe('', 'x86_64'))).detail).toMatch(/uname -m prints x86_64, expected aarch64$/);
    writeFileSync(join(root, 'etc', 'almalinux-release'), 'AlmaLinux release 8.10 (Cerulean Leopard)\n');
    expect((await checkIdentity(minimal, plat('linux/amd64'), probe('x86_64', '', '/var/lib/rpm'))).detail).toMatch(/reads "AlmaLinux release 8\.10 \(Cerulean Leopard\)", expected/);
  });
});
