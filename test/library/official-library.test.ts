// `almac library` against real parts: 9/default and 9/minimal built by one `almac build --platform
// linux/amd64,linux/arm64` from the offline fixture repository of each architecture (`--repo
// fixture=…/9-$basearch`; the arm64 builds run in the arm64 builder image under qemu-user-static),
// each image's two platforms put into one manifest list by `podman manifest push --all` into an OCI
// layout; then the DOI layout, the library file and the release branches. Checked from the outside:
// tarballs byte-identical across two exports, sorted, clamped, numeric owners; the library file by
// the bashbrew-rule validator and python3-debian's deb822; every DOI Dockerfile rebuilt from its
// tarball with `podman build --platform …` gives its platform's source image root (paths, types,
// modes, owners, content).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseBinfmt } from '../e2e/binfmt-lease.js';
import { almac, ensureBuildEnv, ensureFixtureRepos, ensureForeignBuilder, parseBuildJson, podman, type BuildJson, REPO_ROOT, skipReason, storeEnv, SYSBASE, tempDir, WORK } from '../e2e/build-env.js';

const SKIP = skipReason() ?? (spawnSync('sh', ['-c', 'command -v update-binfmts'], { stdio: 'ignore' }).status === 0 ? undefined : 'qemu-user-static is missing (scripts/setup-engine.sh installs it)');
const IMAGES = ['9/default', '9/minimal'];
const EPOCH = 1764547200; // 2025-12-01T00:00:00Z
const DATE = '20251201';
const ARCHES = [
  { arch: 'amd64', platform: 'linux/amd64' },
  { arch: 'arm64v8', platform: 'linux/arm64' },
];
// A store of its own: runs of almac in a store reap what other processes left in it (podman builds,
// image mounts), and other tests build in the shared one while this one reads its images. Its path
// must not start with the shared store's (WORK/engine): a run there SIGKILLs every process whose
// command line contains that path as a string.
const LIB_STORE = join(WORK, 'library-store');
const ENV = storeEnv(LIB_STORE);
const podmanHere = (args: string[]) => podman(args, LIB_STORE);

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: opts.env ?? ENV, cwd: opts.cwd, maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

/** Every path below an image root: type, mode, owner, and the content's hash or the link target. */
function rootEntries(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    const st = lstatSync(abs);
    const meta = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
    if (st.isSymbolicLink()) out.push(`${rel} l ${meta} -> ${readlinkSync(abs)}`);
    else if (st.isDirectory()) {
      if (rel) out.push(`${rel} d ${meta}`);
      for (const e of readdirSync(abs).sort()) walk(`${rel}/${e}`);
    } else if (st.isFile()) out.push(`${rel} f ${meta} ${st.nlink > 1 ? 'hardlinked ' : ''}${createHash('sha256').update(readFileSync(abs)).digest('hex')}`);
    else out.push(`${rel} ${st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : st.isFIFO() ? 'p' : 's'} ${meta} ${st.rdev}`);
  };
  walk('');
  return out;
}

async function imageRoot(ref: string): Promise<string[]> {
  const m = await podmanHere(['image', 'mount', ref]);
  if (m.code !== 0) throw new Error(`podman image mount ${ref}: ${m.stderr}`);
  try {
    return rootEntries(m.stdout.trim());
  } finally {
    await podmanHere(['image', 'unmount', ref]);
  }
}

function sha256(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

/** One manifest list per image, its platforms' images as built, in the OCI layout `layout` under tag `ref`. */
async function pushList(images: { platform: string; imageId: string }[], layout: string, ref: string): Promise<void> {
  const list = `almac-library-test-${ref}-${process.pid}`;
  const step = async (args: string[]) => {
    const r = await podmanHere(args);
    if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: ${r.stderr}`);
  };
  await step(['manifest', 'create', list]);
  try {
    for (const i of images) {
      const [os, arch] = i.platform.split('/');
      await step(['manifest', 'add', '--os', os!, '--arch', arch!, ...(arch === 'arm64' ? ['--variant', 'v8'] : []), list, `containers-storage:${i.imageId}`]);
    }
    await step(['manifest', 'push', '--all', '--format', 'oci', list, `oci:${layout}:${ref}`]);
  } finally {
    await podmanHere(['manifest', 'rm', list]);
  }
}

describe.skipIf(SKIP)(`almac library with real images${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let work: string;
  let layout: string;
  let out1: string;
  let out2: string;
  let gitRepo: string;
  let libraryText: string;
  const sources = new Map<string, string>(); // `${image} ${platform}` → the built image
  const created: string[] = [];
  let releaseBinfmt: (() => Promise<void>) | undefined;
  let built: BuildJson['builds'] = [];

  beforeAll(async () => {
    await ensureBuildEnv(LIB_STORE);
    await Promise.all([ensureFixtureRepos('x86_64', ['9']), ensureFixtureRepos('aarch64', ['9'])]);
    const arm64Builder = await ensureForeignBuilder('arm64', LIB_STORE);
    work = tempDir('library-');
    releaseBinfmt = await leaseBinfmt(join(work, 'binfmt'));
    const t0 = Date.now();
    const r = await almac(['build', ...IMAGES, '--via', 'containerfile', '--platform', ARCHES.map((a) => a.platform).join(','), '--json',
      '--repo', `fixture=${join(WORK, 'repos', '9-$basearch')}`, '--sysbase', SYSBASE, '--sysbase', `linux/arm64=${arm64Builder}`, '--store', LIB_STORE, '--build-dir', join(work, 'build')]);
    if (r.code !== 0) throw new Error(`almac build failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    process.stderr.write(`library e2e: almac build of ${IMAGES.join(' ')} for ${ARCHES.map((a) => a.platform).join(', ')} took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    built = parseBuildJson(r).builds;
    layout = join(work, 'oci');
    for (const id of IMAGES) {
      const images = ARCHES.map(({ platform }) => {
        const b = built.find((x) => x.image === id && x.platform === platform);
        if (!b?.imageId) throw new Error(`almac build reported no ${platform} image of ${id}`);
        return { platform, imageId: b.imageId };
      });
      // Held under this test's own tags: other tests rebuilding in the shared store may retag and prune.
      for (const { platform, imageId } of images) {
        const tag = `localhost/almac-library-test/source-${id.replace('/', '-')}:${platform.split('/')[1]}-${process.pid}`;
        const t = await podmanHere(['tag', imageId, tag]);
        if (t.code !== 0) throw new Error(`podman tag ${imageId}: ${t.stderr}`);
        created.push(tag);
        sources.set(`${id} ${platform}`, tag);
      }
      await pushList(images, layout, id.replace('/', '-'));
    }
    gitRepo = join(work, 'images.git');
    sh('git', ['init', '--quiet', '--bare', gitRepo]);
    // Not the store's TMPDIR: build clean-ups kill processes that name the store on their command line.
    const gitEnv = { ...(process.env as Record<string, string>), TMPDIR: work, GIT_AUTHOR_NAME: 'Release Engineer', GIT_AUTHOR_EMAIL: 're@example.invalid', GIT_COMMITTER_NAME: 'Release Engineer', GIT_COMMITTER_EMAIL: 're@example.invalid' };
    const common = [...IMAGES, '--from', `oci:${layout}:{release}-{image}`, '--platform', 'linux/amd64', '--platform', 'linux/arm64', '--source-date-epoch', String(EPOCH)];
    out1 = join(work, 'layout1');
    out2 = join(work, 'layout2');
    const e1 = await almac(['library', ...common, '--out', out1, '--commit-to', gitRepo], { env: gitEnv });
    if (e1.code !== 0) throw new Error(`almac library failed (exit ${e1.code}):\n${e1.stdout}\n${e1.stderr}`);
    libraryText = e1.stdout;
    if (process.env['ALMAC_LIBRARY_REPORT']) writeFileSync(process.env['ALMAC_LIBRARY_REPORT'], libraryText); // for a look at a real one
    const e2 = await almac(['library', ...common, '--out', out2], { env: gitEnv });
    if (e2.code !== 0) throw new Error(`second almac library failed (exit ${e2.code}):\n${e2.stderr}`);
  }, 1_200_000);

  afterAll(async () => {
    for (const ref of created) await podmanHere(['rmi', '--force', ref]);
    await releaseBinfmt?.();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 1_200_000);

  it('builds each image for real on both platforms (arm64 under qemu), each passing the identity check', () => {
    expect(built.map((b) => `${b.image} ${b.platform} ${b.status}`).sort()).toEqual(IMAGES.flatMap((i) => ARCHES.map((a) => `${i} ${a.platform} built`)).sort());
    for (const b of built) {
      expect(b.assertions.filter((a) => !a.ok), `${b.image} ${b.platform}`).toEqual([]);
      expect(b.assertions.find((a) => a.kind === 'identity')?.detail).toMatch(new RegExp(`; rpm arch ${b.platform === 'linux/arm64' ? 'aarch64' : 'x86_64'}$`));
    }
  });

  it('writes <type>/<arch>/ with the tarball and a Dockerfile carrying the tags and the image config', () => {
    for (const [type, tags] of [['default', '9, 9.8, 9.8-20251201'], ['minimal', '9-minimal, 9.8-minimal, 9.8-minimal-20251201']] as const) {
      for (const { arch } of ARCHES) {
        const dir = join(out1, '9', type, arch);
        expect(existsSync(join(dir, `almalinux-9-${type}-${arch}.tar.xz`))).toBe(true);
        expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(
          `# Generated by almac from definitions/images/${type}.alma (9/${type}) — do not edit.\n# Tags: ${tags}\nFROM scratch\nADD almalinux-9-${type}-${arch}.tar.xz /\n${type === 'default' ? 'ENV LANG="C.utf8"\n' : ''}CMD ["/bin/bash"]\n`,
        );
      }
      expect(readdirSync(join(out1, '9', type)).sort()).toEqual(['amd64', 'arm64v8']);
    }
  });

  it('gives byte-identical tarballs on a second export', () => {
    for (const type of ['default', 'minimal']) {
      for (const { arch } of ARCHES) {
        const f = join('9', type, arch, `almalinux-9-${type}-${arch}.tar.xz`);
        const a = readFileSync(join(out1, f));
        expect(a.length).toBeGreaterThan(100_000);
        expect(createHash('sha256').update(readFileSync(join(out2, f))).digest('hex')).toBe(createHash('sha256').update(a).digest('hex'));
      }
    }
  });

  it('writes tarballs with sorted entries, clamped mtimes, numeric owners and xz with CRC64', () => {
    const f = join(out1, '9/minimal/arm64v8/almalinux-9-minimal-arm64v8.tar.xz');
    const py = `
import tarfile, sys, json
t = tarfile.open(sys.argv[1], 'r:xz')
ms = t.getmembers()
print(json.dumps({'names': [m.name for m in ms], 'maxMtime': max(m.mtime for m in ms), 'unames': sorted({m.uname for m in ms} | {m.gname for m in ms})}))`;
    const info = JSON.parse(sh('/usr/bin/python3', ['-c', py, f])) as { names: string[]; maxMtime: number; unames: string[] };
    expect(info.maxMtime).toBeLessThanOrEqual(EPOCH);
    expect(info.unames).toEqual(['']);
    // GNU tar's --sort=name: each directory's entries in byte order, directories depth first.
    const children = new Map<string, string[]>();
    for (const n of info.names) {
      const p = n.replace(/\/$/, '');
      const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
      children.set(parent, [...(children.get(parent) ?? []), p.slice(p.lastIndexOf('/') + 1)]);
    }
    for (const [, names] of children) expect(names).toEqual([...names].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
    expect(sh('xz', ['--robot', '--list', f])).toMatch(/\tCRC64\t/);
    // Each platform's tarball came from its own manifest: the two differ (their packages' architectures).
    expect(sha256(readFileSync(f))).not.toBe(sha256(readFileSync(join(out1, '9/minimal/amd64/almalinux-9-minimal-amd64.tar.xz'))));
  });

  it('writes a library file that bashbrew\'s rules and python3-debian accept, with the branches\' commits', () => {
    expect(readFileSync(join(out1, 'library/almalinux'), 'utf8')).toBe(libraryText);
    const v = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/almac.js'), 'library', '--validate', join(out1, 'library/almalinux')], { encoding: 'utf8' });
    expect(v.stderr).toBe('');
    expect(v.status).toBe(0);
    const head = sh('git', ['--git-dir', gitRepo, 'rev-parse', 'refs/heads/9']);
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    const py = `
import sys, json
from debian.deb822 import Deb822
with open(sys.argv[1]) as f:
    print(json.dumps([dict(p) for p in Deb822.iter_paragraphs(f, use_apt_pkg=False)]))`;
    const paragraphs = JSON.parse(sh('/usr/bin/python3', ['-c', py, join(out1, 'library/almalinux')])) as Record<string, string>[];
    expect(paragraphs).toEqual([
      { Maintainers: 'The AlmaLinux OS Foundation <cloud-infra@almalinux.org> (@AlmaLinux)', GitRepo: 'https://github.com/AlmaLinux/container-images.git' },
      { Tags: `9, 9.8, 9.8-${DATE}`, GitFetch: 'refs/heads/9', GitCommit: head, 'amd64-Directory': 'default/amd64/', 'arm64v8-Directory': 'default/arm64v8/', Architectures: 'amd64, arm64v8' },
      { Tags: `9-minimal, 9.8-minimal, 9.8-minimal-${DATE}`, GitFetch: 'refs/heads/9', GitCommit: head, 'amd64-Directory': 'minimal/amd64/', 'arm64v8-Directory': 'minimal/arm64v8/', Architectures: 'amd64, arm64v8' },
    ]);
    // The branch holds exactly the release's layout, and a re-run with the same layout keeps the commit.
    const files = sh('git', ['--git-dir', gitRepo, 'ls-tree', '-r', '--name-only', 'refs/heads/9']).split('\n');
    expect(files).toEqual([
      'default/amd64/Dockerfile', 'default/amd64/almalinux-9-default-amd64.tar.xz', 'default/arm64v8/Dockerfile', 'default/arm64v8/almalinux-9-default-arm64v8.tar.xz',
      'minimal/amd64/Dockerfile', 'minimal/amd64/almalinux-9-minimal-amd64.tar.xz', 'minimal/arm64v8/Dockerfile', 'minimal/arm64v8/almalinux-9-minimal-arm64v8.tar.xz',
    ]);
    const again = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/almac.js'), 'library', '--out', out2, '--commit-only', '--commit-to', gitRepo], { encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stderr).toContain(`unchanged refs/heads/9 ${head}`);
  });

  it('rebuilds each DOI Dockerfile from its tarball into the source image\'s root', async () => {
    for (const id of IMAGES) {
      const type = id.split('/')[1]!;
      for (const { arch, platform } of ARCHES) {
        const tag = `localhost/almac-library-test/doi-${type}:${arch}`;
        created.push(tag);
        const b = await podmanHere(['build', '--quiet', '--network', 'none', '--platform', platform, '-t', tag, join(out1, '9', type, arch)]);
        expect(b.stderr.replace(/.*image platform.*does not match.*\n?/g, '')).not.toMatch(/error/i);
        expect(b.code).toBe(0);
        const inspect = JSON.parse((await podmanHere(['image', 'inspect', tag])).stdout)[0] as { Architecture: string; Config: { Cmd: string[] } };
        expect(inspect.Architecture).toBe(platform.split('/')[1]);
        expect(inspect.Config.Cmd).toEqual(['/bin/bash']);
        const rebuilt = await imageRoot(tag);
        const source = await imageRoot(sources.get(`${id} ${platform}`)!);
        expect(rebuilt.length).toBeGreaterThan(50);
        expect([...rebuilt].sort()).toEqual([...source].sort());
      }
    }
  }, 600_000);
});
