// `almac library` against real parts: 9/default and 9/minimal built by `almac build` from the offline
// fixture repository, made into two-platform images (linux/amd64 as built; linux/arm64 the same root
// plus a marker file, committed with arm64 as its architecture), pushed with `podman manifest push
// --all` into an OCI layout; then the DOI layout, the library file and the release branches.
// Checked from the outside: tarballs byte-identical across two exports, sorted, clamped, numeric
// owners; the library file by the bashbrew-rule validator and python3-debian's deb822; every DOI
// Dockerfile rebuilt from its tarball with `podman build --platform …` gives the source image's root
// (paths, types, modes, owners, content).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { almac, ensureBuildEnv, fixtureArgs, parseBuildJson, podman, REPO_ROOT, skipReason, storeEnv, tempDir } from '../e2e/build-env.js';

const SKIP = skipReason();
const IMAGES = ['9/default', '9/minimal'];
const EPOCH = 1764547200; // 2025-12-01T00:00:00Z
const DATE = '20251201';
const ARCHES = [
  { arch: 'amd64', platform: 'linux/amd64' },
  { arch: 'arm64v8', platform: 'linux/arm64' },
];
const ENV = storeEnv();

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
  const m = await podman(['image', 'mount', ref]);
  if (m.code !== 0) throw new Error(`podman image mount ${ref}: ${m.stderr}`);
  try {
    return rootEntries(m.stdout.trim());
  } finally {
    await podman(['image', 'unmount', ref]);
  }
}

const MARKER_PATH = '/etc/almac-test-platform';
const MARKER = 'linux/arm64\n';

function sha256(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

/**
 * Two platforms from one build, in an OCI layout under `ref`: the image as built (linux/amd64, pushed
 * by podman), and linux/arm64/v8: the same layer plus one holding MARKER_PATH, with arm64 in its
 * config, so a tarball made from the wrong manifest shows. Assembled as OCI JSON (no working
 * containers in the shared store).
 */
async function makeTwoPlatformLayout(imageId: string, layout: string, ref: string): Promise<void> {
  const push = await podman(['push', '--quiet', imageId, `oci:${layout}:${ref}-amd64`]);
  if (push.code !== 0) throw new Error(`podman push: ${push.stderr}`);
  const blob = (d: string) => join(layout, 'blobs', 'sha256', d.replace(/^sha256:/, ''));
  const put = (data: Buffer | string) => {
    const d = sha256(data);
    writeFileSync(join(layout, 'blobs', 'sha256', d), data);
    return { digest: `sha256:${d}`, size: Buffer.byteLength(data) };
  };
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string; annotations?: Record<string, string> }[] };
  const amd = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === `${ref}-amd64`)!;
  const manifest = JSON.parse(readFileSync(blob(amd.digest), 'utf8')) as { config: { digest: string; mediaType: string; size: number }; layers: object[] };
  const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8')) as { architecture: string; variant?: string; rootfs: { diff_ids: string[] }; history?: object[] };
  const dir = mkdtempSync(join(layout, '..', 'marker-'));
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, MARKER_PATH), MARKER, { mode: 0o644 });
  const tar = spawnSync('tar', ['-C', dir, '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '--no-recursion', '-cf', '-', 'etc/almac-test-platform']);
  rmSync(dir, { recursive: true, force: true });
  const layer = put(tar.stdout);
  const armConfig = put(JSON.stringify({ ...config, architecture: 'arm64', variant: 'v8', rootfs: { ...config.rootfs, diff_ids: [...config.rootfs.diff_ids, layer.digest] }, history: [...(config.history ?? []), { created_by: 'almac test: arm64 marker' }] }));
  const armManifest = put(JSON.stringify({ ...manifest, config: { ...manifest.config, ...armConfig }, layers: [...manifest.layers, { mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }] }));
  const list = put(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: amd.mediaType, digest: amd.digest, size: statSync(blob(amd.digest)).size, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...armManifest, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ],
  }));
  index.manifests.push({ mediaType: 'application/vnd.oci.image.index.v1+json', ...list, annotations: { 'org.opencontainers.image.ref.name': ref } });
  writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
}

describe.skipIf(SKIP)(`almac library with real images${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let work: string;
  let layout: string;
  let out1: string;
  let out2: string;
  let gitRepo: string;
  let libraryText: string;
  const sources = new Map<string, string>(); // `${image} amd64` → the built image
  const created: string[] = [];

  beforeAll(async () => {
    await ensureBuildEnv();
    work = tempDir('library-');
    const r = await almac(['build', ...IMAGES, '--via', 'containerfile', '--json', ...fixtureArgs(join(work, 'build'))]);
    if (r.code !== 0) throw new Error(`almac build failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    const built = parseBuildJson(r).builds;
    layout = join(work, 'oci');
    for (const id of IMAGES) {
      const b = built.find((x) => x.image === id)!;
      sources.set(`${id} amd64`, b.imageId!);
      await makeTwoPlatformLayout(b.imageId!, layout, id.replace('/', '-'));
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
    const e2 = await almac(['library', ...common, '--out', out2], { env: gitEnv });
    if (e2.code !== 0) throw new Error(`second almac library failed (exit ${e2.code}):\n${e2.stderr}`);
  }, 1_200_000);

  afterAll(async () => {
    for (const ref of created) await podman(['rmi', '--force', ref]);
    if (work) rmSync(work, { recursive: true, force: true });
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
print(json.dumps({'names': [m.name for m in ms], 'maxMtime': max(m.mtime for m in ms), 'unames': sorted({m.uname for m in ms} | {m.gname for m in ms}), 'marker': [m.name for m in ms if m.name.endswith('etc/almac-test-platform')]}))`;
    const info = JSON.parse(sh('/usr/bin/python3', ['-c', py, f])) as { names: string[]; maxMtime: number; unames: string[]; marker: string[] };
    expect(info.maxMtime).toBeLessThanOrEqual(EPOCH);
    expect(info.unames).toEqual(['']);
    expect(info.marker).toEqual(['./etc/almac-test-platform']);
    // GNU tar's --sort=name: each directory's entries in byte order, directories depth first.
    const children = new Map<string, string[]>();
    for (const n of info.names) {
      const p = n.replace(/\/$/, '');
      const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
      children.set(parent, [...(children.get(parent) ?? []), p.slice(p.lastIndexOf('/') + 1)]);
    }
    for (const [, names] of children) expect(names).toEqual([...names].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
    expect(sh('xz', ['--robot', '--list', f])).toMatch(/\tCRC64\t/);
    // The amd64 tarball has no arm64 marker: each layer came from its own platform's manifest.
    expect(sh('tar', ['-tf', join(out1, '9/minimal/amd64/almalinux-9-minimal-amd64.tar.xz')])).not.toContain('almac-test-platform');
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
        const b = await podman(['build', '--quiet', '--network', 'none', '--platform', platform, '-t', tag, join(out1, '9', type, arch)]);
        expect(b.stderr.replace(/.*image platform.*does not match.*\n?/g, '')).not.toMatch(/error/i);
        expect(b.code).toBe(0);
        const inspect = JSON.parse((await podman(['image', 'inspect', tag])).stdout)[0] as { Architecture: string; Config: { Cmd: string[] } };
        expect(inspect.Architecture).toBe(platform.split('/')[1]);
        expect(inspect.Config.Cmd).toEqual(['/bin/bash']);
        const rebuilt = await imageRoot(tag);
        const source = await imageRoot(sources.get(`${id} amd64`)!);
        // the arm64 image is the amd64 root plus its marker layer
        if (arch === 'arm64v8') source.push(`${MARKER_PATH} f 644 0:0 ${sha256(MARKER)}`);
        expect(rebuilt.length).toBeGreaterThan(50);
        expect([...rebuilt].sort()).toEqual([...source].sort());
      }
    }
  }, 600_000);
});
