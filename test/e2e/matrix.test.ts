// The whole matrix on podman: all 24 images (4 releases × 6 types), each through the Containerfile
// route and the kickstart route, against its release's fixture repository, with every assertion of
// every image checked (the release-identity assertions included: `AlmaLinux release 8.10`, …,
// `AlmaLinux Kitten release 10`). One `almac build` per release (each release has its own
// repository), run one after the other with `--jobs 2`; the builder image and the engine store are
// shared by the releases (a store of its own: build.test.ts builds some of the same local tags at the
// same time). Then the docker route, against a real daemon, for three of the images, compared with
// these podman builds. Skipped (with the reason in the suite name) only without podman (docker.io).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  almac,
  ensureBuildEnv,
  ensureFixtureRepos,
  fixtureArgs,
  fixtureRepoFor,
  MATRIX_STORE,
  parseBuildJson,
  podman,
  RELEASES,
  REPO_ROOT,
  skipReason,
  storeEnv,
  SYSBASE,
  tempDir,
  type BuildJson,
} from './build-env.js';
import { readTree, treeDifferences, type TreeEntry } from './helpers/root-tree.js';

const SKIP = skipReason();
const TYPES = ['base', 'default', 'init', 'micro', 'minimal', 'toolbox'];
const ROUTES = ['containerfile', 'kickstart'];
const IDENTITY: Record<string, RegExp> = {
  '8': /^AlmaLinux release 8\.10 /,
  '9': /^AlmaLinux release 9\.8 /,
  '10': /^AlmaLinux release 10\.2 /,
  '10-kitten': /^AlmaLinux Kitten release 10 /,
};

type Build = BuildJson['builds'][number];

const builds: Build[] = [];

describe.skipIf(SKIP)(`all 24 images × both routes on podman${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  const seconds: Record<string, number> = {};

  beforeAll(async () => {
    await ensureBuildEnv(MATRIX_STORE);
    await ensureFixtureRepos('x86_64');
    const buildDir = tempDir('bd-matrix-');
    for (const release of RELEASES) {
      const t0 = Date.now();
      const r = await almac(['build', release, '--via', 'containerfile', '--via', 'kickstart', '--keep-going', '--jobs', '2', '--json',
        ...fixtureArgs(buildDir, fixtureRepoFor(release), MATRIX_STORE)]);
      seconds[release] = Math.round((Date.now() - t0) / 1000);
      const j = parseBuildJson(r);
      builds.push(...j.builds);
      if (r.code !== 0) {
        const failed = j.builds.filter((b) => b.status !== 'built' && b.status !== 'skipped');
        console.error(`almac build ${release} exited ${r.code}:\n` + failed.map((b) => `${b.image} via ${b.route}: ${b.status} ${b.error ?? ''} (log ${b.log})`).join('\n'));
      }
    }
    const n = builds.reduce((a, b) => a + b.assertions.length, 0);
    console.log(`matrix: ${builds.length} builds, ${n} assertions; seconds per release: ${JSON.stringify(seconds)}`);
  }, 3_600_000);

  it('builds every image of every release through both routes', () => {
    const expected = RELEASES.flatMap((r) => TYPES.flatMap((t) => ROUTES.map((v) => `${r}/${t} ${v}`))).sort();
    expect(builds.map((b) => `${b.image} ${b.route}`).sort()).toEqual(expected);
    const notBuilt = builds.filter((b) => b.status !== 'built' && b.status !== 'skipped').map((b) => `${b.image} via ${b.route}: ${b.status} ${b.error ?? ''}`);
    expect(notBuilt).toEqual([]);
  });

  it('runs every assertion of every image, with no failure', () => {
    const failures: string[] = [];
    for (const b of builds) {
      expect(b.assertions.length, `${b.image} via ${b.route}`).toBeGreaterThan(0);
      for (const a of b.assertions) if (!a.ok) failures.push(`${b.image} via ${b.route}: ${a.name} — ${a.detail ?? ''} [${a.origin}]`);
    }
    expect(failures).toEqual([]);
    // the identity assertion is among them, for every image
    for (const b of builds) expect(b.assertions.some((a) => a.name.includes('/etc/almalinux-release')), `${b.image} via ${b.route}`).toBe(true);
  });

  it('each release\'s images say which release they are', async () => {
    for (const release of RELEASES) {
      for (const route of ROUTES) {
        const b = builds.find((x) => x.image === `${release}/minimal` && x.route === route)!;
        const r = await podman(['run', '--rm', '--network', 'none', b.localTag, '/bin/sh', '-c', 'cat /etc/almalinux-release'], MATRIX_STORE);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(IDENTITY[release]!);
      }
    }
  }, 120_000);

  it('both routes install the same packages', () => {
    const differ: string[] = [];
    for (const release of RELEASES) {
      for (const type of TYPES) {
        const [a, b] = ROUTES.map((v) => builds.find((x) => x.image === `${release}/${type}` && x.route === v)!);
        if (readFileSync(a!.manifest, 'utf8') !== readFileSync(b!.manifest, 'utf8')) differ.push(`${release}/${type}`);
      }
    }
    expect(differ).toEqual([]);
  });
});

/** Content that depends on when or by whom a build ran, not on what it built. */
const MAY_DIFFER = [
  /^\/etc\/BUILDTIME$/, // the build's minute
  /^\/var\/lib\/rpm\/rpmdb\.sqlite(-shm|-wal)?$/, // install timestamps
  /^\/var\/lib\/dnf\/history\.sqlite(-shm|-wal)?$/, // transaction times
];

function sh(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const c = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    c.on('close', (code) => res({ code: code ?? 1, stdout, stderr }));
  });
}

const DOCKER_SKIP = SKIP ?? (existsSync('/usr/sbin/dockerd') && existsSync('/usr/bin/docker') ? undefined : 'docker.io is not installed (scripts/setup-docker.sh installs it; CI does)');
const DOCKER_IMAGES = ['9/minimal', '9/micro', '9/base'];
describe.skipIf(DOCKER_SKIP)(`the docker route against a real daemon, compared with podman's${DOCKER_SKIP ? ` (skipped: ${DOCKER_SKIP})` : ''}`, () => {
  // short: the socket path must fit in 107 bytes
  const daemonDir = DOCKER_SKIP ? '' : mkdtempSync('/tmp/almac-dockerd-');
  let dockerEnv: Record<string, string> = {};
  let dockerBuilds: Build[] = [];

  beforeAll(async () => {
    const start = await sh('bash', [join(REPO_ROOT, 'scripts', 'docker-daemon.sh'), 'start', daemonDir, '--owner', String(process.pid)], process.env as Record<string, string>);
    if (start.code !== 0) throw new Error(`docker-daemon.sh start failed:\n${start.stderr}`);
    dockerEnv = { ...(process.env as Record<string, string>) };
    for (const line of start.stdout.split('\n')) {
      const m = /^(DOCKER_HOST|PATH)=(.*)$/.exec(line);
      if (m) dockerEnv[m[1]!] = m[2]!;
    }
    dockerEnv['DOCKER_CONFIG'] = join(daemonDir, 'config');
    // the offline builder, from podman's store into the daemon
    const load = await sh('bash', ['-c', `podman save ${SYSBASE} | docker load`], { ...storeEnv(MATRIX_STORE), DOCKER_HOST: dockerEnv['DOCKER_HOST']!, PATH: dockerEnv['PATH']! });
    if (load.code !== 0) throw new Error(`loading the builder into docker failed:\n${load.stderr}`);
    const t0 = Date.now();
    const buildDir = tempDir('bd-docker-');
    const r = await almac(['build', ...DOCKER_IMAGES, '--engine', 'docker', '--via', 'containerfile', '--keep-going', '--jobs', '2', '--json',
      ...fixtureArgs(buildDir, fixtureRepoFor('9'), MATRIX_STORE)], { env: dockerEnv });
    const j = parseBuildJson(r);
    if (r.code !== 0) console.error('docker: ' + j.builds.map((b) => `${b.image} ${b.status} ${b.error ?? ''} (${b.log})`).join('\n'));
    dockerBuilds = j.builds;
    console.log(`docker route: ${j.builds.length} builds in ${Math.round((Date.now() - t0) / 1000)} s`);
  }, 1_800_000);

  afterAll(async () => {
    if (!daemonDir) return;
    const stop = await sh('bash', [join(REPO_ROOT, 'scripts', 'docker-daemon.sh'), 'stop', daemonDir], process.env as Record<string, string>);
    if (stop.code !== 0) console.error(`docker-daemon.sh stop: ${stop.stderr}`);
    rmSync(daemonDir, { recursive: true, force: true });
  }, 120_000);

  const build = (engine: 'podman' | 'docker', image: string): Build => {
    const b = engine === 'docker' ? dockerBuilds.find((x) => x.image === image) : builds.find((x) => x.image === image && x.route === 'containerfile');
    if (!b) throw new Error(`no ${engine} build of ${image}`);
    return b;
  };

  it('builds each image with docker, and every assertion passes', () => {
    for (const image of DOCKER_IMAGES) {
      for (const engine of ['podman', 'docker'] as const) {
        const b = build(engine, image);
        expect(b.status, `${image} on ${engine}: ${b.error ?? ''}`).toBe('built');
        expect(b.assertions.length).toBeGreaterThan(0);
        expect(b.assertions.filter((a) => !a.ok), `${image} on ${engine}`).toEqual([]);
      }
    }
  });

  it('the docker images hold the same package set as the podman images', () => {
    for (const image of DOCKER_IMAGES) {
      const [p, d] = [build('podman', image), build('docker', image)];
      expect(readFileSync(d.manifest, 'utf8'), image).toBe(readFileSync(p.manifest, 'utf8'));
      expect(d.packages).toBe(p.packages);
    }
  });

  it('the docker roots equal the podman roots: paths, types, modes, owners, content digests', async () => {
    const differences: string[] = [];
    for (const image of DOCKER_IMAGES) {
      // podman: the image's root, mounted
      const ref = build('podman', image).localTag;
      const m = await podman(['image', 'mount', ref], MATRIX_STORE);
      expect(m.code, m.stderr).toBe(0);
      let podmanTree: TreeEntry[];
      try {
        podmanTree = readTree(m.stdout.trim());
      } finally {
        await podman(['image', 'unmount', ref], MATRIX_STORE);
      }
      // docker: the image is one layer (FROM scratch + COPY); its overlay2 diff directory is the root
      const insp = await sh('docker', ['image', 'inspect', '--format', '{{json .GraphDriver.Data}} {{len .RootFS.Layers}}', build('docker', image).localTag], dockerEnv);
      expect(insp.code, insp.stderr).toBe(0);
      const [data, layers] = insp.stdout.trim().split(/ (?=\d+$)/);
      expect(layers, `${image}: docker image layers`).toBe('1');
      const upper = (JSON.parse(data!) as { UpperDir: string }).UpperDir;
      const dockerTree = readTree(upper);
      expect(podmanTree.length, image).toBeGreaterThan(50);
      // The layer holds no entry for the root directory itself (its first entries are bin, dev/, etc/):
      // its mode is whatever the engine's storage gives the directory it unpacks into (podman 0555,
      // docker 0755), not part of the image. Everything below it is compared.
      const belowRoot = (t: TreeEntry[]): TreeEntry[] => t.filter((e) => e.path !== '/');
      differences.push(...treeDifferences(belowRoot(podmanTree), belowRoot(dockerTree), ['podman', 'docker'], MAY_DIFFER).map((d) => `${image} ${d}`));
    }
    expect(differences).toEqual([]);
  }, 300_000);

  it('the docker images have the definition\'s config', async () => {
    for (const image of DOCKER_IMAGES) {
      const d = await sh('docker', ['image', 'inspect', '--format', '{{json .Config.Cmd}} {{json .Config.Env}}', build('docker', image).localTag], dockerEnv);
      const p = await podman(['image', 'inspect', '--format', '{{json .Config.Cmd}} {{json .Config.Env}}', build('podman', image).localTag], MATRIX_STORE);
      expect(d.stdout.trim(), image).toBe(p.stdout.trim());
    }
  });
});

