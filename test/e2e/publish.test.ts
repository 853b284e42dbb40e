// End to end: 9/minimal and 9/micro for linux/amd64 and linux/arm64, built by one `almac build
// --platform linux/amd64,linux/arm64` (Containerfile route, the fixture repository of each
// architecture through `--repo fixture=http://…/9-$basearch/`, served over http so that the
// packages go through almac's package cache, once per run for all images and platforms; a Debian
// builder image per platform through `--sysbase` and `--sysbase linux/arm64=…`; the arm64 builds
// under qemu-user-static, held under a lease: binfmt-lease.ts, scripts/setup-binfmt.sh), then
// published by `almac publish` to two local registries (Debian's docker-registry, scripts/test-registry.sh) and read back with
// `skopeo inspect --raw`. Nothing here can reach a public registry: every declared registry is
// mapped to 127.0.0.1.
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSbom } from '../../src/sbom/cyclonedx.js';
import { leaseBinfmt } from './binfmt-lease.js';
import { REPO_ROOT, STORE, SYSBASE, WORK, almac, ensureBuildEnv, ensureFixtureRepos, ensureForeignBuilder, parseBuildJson, skipReason, tempDir, type BuildJson } from './build-env.js';

const skip = skipReason() ?? (spawnSync('sh', ['-c', 'command -v docker-registry && command -v skopeo && command -v update-binfmts'], { stdio: 'ignore' }).status === 0 ? undefined : 'docker-registry, skopeo or qemu-user-static missing (scripts/setup-engine.sh installs them)');
const EPOCH = '1767312000'; // 2026-01-02
const DATE = '20260102';
const IMAGES = ['9/minimal', '9/micro'];
const PLATFORMS = ['linux/amd64', 'linux/arm64'];

interface PublishJson {
  ok: boolean;
  date: string;
  images: { image: string; digest: string | null; error?: string; platforms: { platform: string; digest: string | null }[]; references: { reference: string; registry: string; digest: string | null; outcome: string; kind: string; error?: string }[] }[];
}

describe.skipIf(skip)('almac publish: two platforms, two registries', () => {
  let work: string;
  let regA: string;
  let regB: string;
  let buildDir: string;
  let built: BuildJson;
  let fixtureServer: Server | undefined;
  let releaseBinfmt: (() => Promise<void>) | undefined;
  const rpmRequests: string[] = [];
  const sh = (cmd: string, env: Record<string, string> = process.env as Record<string, string>) => execFileSync('bash', ['-c', cmd], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const mapArgs = () => ['--registry-map', `docker.io/almalinux=${regA}/almalinux`, '--registry-map', `quay.io/almalinuxorg=${regB}/almalinuxorg`, '--registry-map', `ghcr.io/almalinux=${regA}/ghcr`];
  const publish = async (extra: string[] = [], epoch = EPOCH) => {
    const r = await almac(['publish', ...IMAGES, '--platform', PLATFORMS.join(','), '--store', STORE, '--build-dir', buildDir, '--json', '--retries', '2', '--backoff-ms', '100', ...mapArgs(), ...extra], { env: { ...(process.env as Record<string, string>), SOURCE_DATE_EPOCH: epoch } });
    try {
      return { code: r.code, json: JSON.parse(r.stdout) as PublishJson, stderr: r.stderr };
    } catch {
      throw new Error(`publish printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
  };
  const inspectRaw = (ref: string) => JSON.parse(sh(`skopeo inspect --raw --tls-verify=false docker://${ref}`));
  const digestOf = (ref: string) => 'sha256:' + sh(`skopeo inspect --raw --tls-verify=false docker://${ref} | sha256sum`).split(' ')[0];

  beforeAll(async () => {
    await ensureBuildEnv();
    work = tempDir('publish-');
    buildDir = join(work, 'build');
    releaseBinfmt = await leaseBinfmt(join(work, 'binfmt'));
    regA = sh(`bash "${REPO_ROOT}/scripts/test-registry.sh" start "${work}/reg-a"`).trim();
    regB = sh(`bash "${REPO_ROOT}/scripts/test-registry.sh" start "${work}/reg-b"`).trim();
    await Promise.all([ensureFixtureRepos('x86_64', ['9']), ensureFixtureRepos('aarch64', ['9'])]);
    const arm64Builder = await ensureForeignBuilder('arm64');
    const t0 = Date.now();
    const repos = join(WORK, 'repos');
    fixtureServer = createServer((req, res) => {
      const p = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const file = join(repos, p);
      if (!file.startsWith(repos + '/') || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
      if (p.endsWith('.rpm')) rpmRequests.push(p);
      res.writeHead(200, { 'content-length': statSync(file).size });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => fixtureServer!.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(fixtureServer.address() as AddressInfo).port}/9-$basearch/`;
    const b = await almac(['build', ...IMAGES, '--platform', PLATFORMS.join(','), '--repo', `fixture=${url}`,
      '--sysbase', SYSBASE, '--sysbase', `linux/arm64=${arm64Builder}`, '--store', STORE, '--build-dir', buildDir, '--json']);
    if (b.code !== 0) throw new Error(`almac build failed:\n${b.stdout}\n${b.stderr}`);
    built = parseBuildJson(b);
    process.stderr.write(`publish e2e: almac build of ${IMAGES.join(' ')} for ${PLATFORMS.join(', ')} took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }, 1_200_000);

  afterAll(async () => {
    fixtureServer?.close();
    if (!work) return;
    for (const r of ['reg-a', 'reg-b']) spawnSync('bash', [join(REPO_ROOT, 'scripts/test-registry.sh'), 'stop', join(work, r)]);
    await releaseBinfmt?.();
    rmSync(work, { recursive: true, force: true });
  });

  it('builds every platform with one almac build, each passing its assertions and the identity check', () => {
    const rows = built.builds.map((x) => ({ image: x.image, platform: x.platform, status: x.status }));
    expect(rows.map((r) => `${r.image} ${r.platform} ${r.status}`).sort()).toEqual(IMAGES.flatMap((i) => PLATFORMS.map((p) => `${i} ${p} built`)).sort());
    for (const x of built.builds) {
      expect(x.assertions.filter((a) => !a.ok), `${x.image} ${x.platform}`).toEqual([]);
      const identity = x.assertions.find((a) => a.kind === 'identity');
      const arch = x.platform === 'linux/arm64' ? 'aarch64' : 'x86_64';
      expect(identity?.detail).toMatch(x.image === '9/micro' ? new RegExp(`^AlmaLinux release 9\\.8 .*; uname -m ${arch}$`) : new RegExp(`^AlmaLinux release 9\\.8 .*; rpm arch ${arch}$`));
    }
  });

  it('downloads every package once per run, across images and platforms', () => {
    expect(rpmRequests.length).toBeGreaterThan(0);
    expect(new Set(rpmRequests).size).toBe(rpmRequests.length);
    expect(built.packageCache?.upstreamRpmFetches).toBe(rpmRequests.length);
    // both architectures' packages, each of minimal's (which micro largely shares) among them
    for (const x of built.builds.filter((y) => y.image === '9/minimal')) {
      const arch = x.platform === 'linux/arm64' ? 'aarch64' : 'x86_64';
      const nevras = readFileSync(x.manifest, 'utf8').split('\n').filter(Boolean);
      expect(nevras.some((n) => n.endsWith(`.${arch}`))).toBe(true);
      const files = nevras.map((n) => `${n.replace(/-\d+:/, '-')}.rpm`); // file names carry no epoch
      for (const f of files) expect(rpmRequests.some((r) => r.startsWith(`/9-${arch}/`) && r.endsWith(`/${f}`)), `${f} fetched for ${x.platform}`).toBe(true);
    }
  });

  it('--dry-run prints the exact commands: each platform added with os, architecture and variant', async () => {
    const dry = await publish(['--dry-run']);
    expect(dry.code).toBe(0);
    const commands = (dry.json as unknown as { commands: string[] }).commands;
    for (const image of ['9-minimal', '9-micro']) {
      expect(commands).toContainEqual(expect.stringMatching(new RegExp(`^podman manifest create almac-publish-${image}-`)));
      expect(commands).toContainEqual(expect.stringMatching(new RegExp(`^podman manifest add --os linux --arch amd64 almac-publish-${image}-\\S+ containers-storage:localhost/almac/${image}:containerfile-amd64$`)));
      expect(commands).toContainEqual(expect.stringMatching(new RegExp(`^podman manifest add --os linux --arch arm64 --variant v8 almac-publish-${image}-\\S+ containers-storage:localhost/almac/${image}:containerfile-arm64$`)));
      expect(commands).toContainEqual(expect.stringMatching(new RegExp(`^podman manifest push --all --format oci almac-publish-${image}-\\S+ oci:\\S+:list$`)));
    }
    expect(commands.some((c) => /^skopeo copy .*docker:\/\/127\.0\.0\.1:\d+\//.test(c))).toBe(true);
    expect(commands.some((c) => /docker\.io|quay\.io|ghcr\.io/.test(c))).toBe(false);
  });

  it('pushes one manifest list per image to every reference, with platforms and variants, and the same digest everywhere', async () => {
    const first = await publish();
    expect(first.json.images.map((i) => i.error ?? 'ok')).toEqual(['ok', 'ok']);
    expect(first.code).toBe(0);
    for (const img of first.json.images) {
      const name = img.image.replace('/', '-');
      const expected = ['latest', '9', '9.8', `9.8-${DATE}`].flatMap((t) => [`${regA}/almalinux/${name}:${t}`, `${regB}/almalinuxorg/${name}:${t}`, `${regA}/ghcr/${name}:${t}`]);
      const imageRefs = img.references.filter((r) => r.kind === 'image');
      expect(imageRefs.map((r) => r.reference).sort()).toEqual(expected.sort());
      expect(imageRefs.every((r) => r.outcome === 'pushed')).toBe(true);
      for (const ref of expected) {
        expect(digestOf(ref)).toBe(img.digest);
        const index = inspectRaw(ref) as { manifests: { platform: { os: string; architecture: string; variant?: string } }[] };
        expect(index.manifests.map((m) => m.platform)).toEqual([{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }]);
      }
      // an SBOM per platform, beside the image, tagged from the platform manifest's digest
      for (const p of img.platforms) {
        const tag = `${p.digest!.replace(':', '-')}.sbom`;
        const sbomRef = `${regB}/almalinuxorg/${name}:${tag}`;
        expect(img.references.find((r) => r.reference === sbomRef)?.outcome).toBe('pushed');
        const manifest = inspectRaw(sbomRef) as { artifactType: string; layers: { digest: string }[] };
        expect(manifest.artifactType).toBe('application/vnd.cyclonedx+json');
        const sbom = sh(`curl -fsS http://${regB}/v2/almalinuxorg/${name}/blobs/${manifest.layers[0]!.digest}`);
        expect(await validateSbom(sbom)).toBeNull();
        expect(JSON.parse(sbom).components.length).toBeGreaterThan(3);
      }
    }
    // ALMAC_PUBLISH_REPORT=FILE keeps the first report for reading (e.g. in a release note).
    if (process.env['ALMAC_PUBLISH_REPORT']) writeFileSync(process.env['ALMAC_PUBLISH_REPORT'], JSON.stringify(first.json, null, 2) + '\n');
  }, 600_000);

  it('a second publish pushes nothing: every reference is skipped by digest', async () => {
    const again = await publish();
    expect(again.code).toBe(0);
    const outcomes = again.json.images.flatMap((i) => i.references.map((r) => r.outcome));
    expect(new Set(outcomes)).toEqual(new Set(['skipped']));
  }, 600_000);

  it('a stopped registry is reported failed; the other registry still gets its references', async () => {
    sh(`bash "${REPO_ROOT}/scripts/test-registry.sh" stop "${work}/reg-b"`);
    const next = await publish([], String(Number(EPOCH) + 86400)); // a new {date}: one new tag per repository
    expect(next.code).toBe(1);
    for (const img of next.json.images) {
      const onB = img.references.filter((r) => r.registry === 'quay.io');
      const onA = img.references.filter((r) => r.registry !== 'quay.io');
      expect(onB.every((r) => r.outcome === 'failed')).toBe(true);
      expect(onA.filter((r) => r.outcome === 'pushed').map((r) => r.reference)).toEqual([`${regA}/almalinux/${img.image.replace('/', '-')}:9.8-20260103`, `${regA}/ghcr/${img.image.replace('/', '-')}:9.8-20260103`]);
      expect(onA.every((r) => r.outcome === 'pushed' || r.outcome === 'skipped')).toBe(true);
    }
  }, 600_000);
});
