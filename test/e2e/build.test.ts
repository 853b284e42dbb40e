// `almac build` against the real engine: the generated files of 9/minimal, 9/micro and 9/init, unchanged,
// built through both routes against the offline fixture repository (--repo) with the offline builder
// image (--sysbase), then checked from the outside: the images run, hold the package set the
// definitions resolve to, are the same through both routes, pass their assertions; a false assertion
// is reported with its file:line; a second run skips; an interrupted run leaves nothing behind.
// Skipped (with the reason in the suite name) only when podman is not installed.
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  almac,
  copyProject,
  ensureBuildEnv,
  fixtureArgs,
  imageFiles,
  leftovers,
  parseBuildJson,
  podman,
  FIXTURE_REPO,
  REPO_ROOT,
  resolvePackageSet,
  skipReason,
  startAlmac,
  STORE,
  tempDir,
  type BuildJson,
  type FileEntry,
} from './build-env.js';

const SKIP = skipReason();
const IMAGES = ['9/minimal', '9/micro', '9/init'];
const ROUTES = ['containerfile', 'kickstart'];

/**
 * Differences between the two routes that exist by design. Paths are compared with type, mode, owner
 * and size (regular files) or target (links); these may differ in size only.
 */
const SIZE_MAY_DIFFER: { pattern: RegExp; reason: string }[] = [
  { pattern: /^\/var\/lib\/rpm\/rpmdb\.sqlite(-shm|-wal)?$/, reason: 'rpm database: install timestamps and sqlite page layout' },
  { pattern: /^\/var\/lib\/dnf\/history\.sqlite(-shm|-wal)?$/, reason: 'dnf history: transaction times and command lines (host dnf vs. the builder\'s)' },
];

/** The fixture repository over HTTP on 127.0.0.1, recording every .rpm request. */
async function serveFixture(): Promise<{ server: Server; rpmRequests: string[]; url: string }> {
  const rpmRequests: string[] = [];
  const server = createServer((req, res) => {
    const p = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(FIXTURE_REPO, p);
    if (!file.startsWith(FIXTURE_REPO) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    if (p.endsWith('.rpm')) rpmRequests.push(p);
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, rpmRequests, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

interface Built {
  json: BuildJson;
  buildDir: string;
}

describe.skipIf(SKIP)(`almac build with the real engine${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let first: Built;

  beforeAll(async () => {
    await ensureBuildEnv();
    const buildDir = tempDir('bd-');
    const r = await almac(['build', ...IMAGES, '--via', 'containerfile', '--via', 'kickstart', '--keep-going', '--json', ...fixtureArgs(buildDir)]);
    if (r.code !== 0) throw new Error(`almac build failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    first = { json: parseBuildJson(r), buildDir };
  }, 900_000);

  const build = (image: string, route: string): BuildJson['builds'][number] => {
    const b = first.json.builds.find((x) => x.image === image && x.route === route);
    if (!b) throw new Error(`no build of ${image} via ${route}`);
    return b;
  };

  it('builds each image through both routes, and every declared assertion passes', () => {
    expect(first.json.ok).toBe(true);
    for (const image of IMAGES) {
      for (const route of ROUTES) {
        const b = build(image, route);
        expect(b.status, `${image} via ${route}: ${b.error ?? ''}`).toBe('built');
        expect(b.assertions.length).toBeGreaterThan(0);
        expect(b.assertions.filter((a) => !a.ok), `${image} via ${route}`).toEqual([]);
      }
    }
    // the naming tags go to the first route given
    expect(build('9/minimal', 'containerfile').tags).toContain('almalinux/9-minimal:latest');
    expect(build('9/minimal', 'kickstart').tags).toEqual([]);
  });

  it('the images run', async () => {
    for (const image of IMAGES) {
      for (const route of ROUTES) {
        const r = await podman(['run', '--rm', build(image, route).localTag, '/bin/sh', '-c', 'cat /etc/os-release']);
        expect(r.code, `${image} via ${route}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toMatch(/^ID="?almalinux"?$/m);
        expect(r.stdout).toMatch(/^VERSION_ID="?9\.8"?$/m);
      }
    }
  }, 120_000);

  it('hold the package set the definitions resolve to (dependencies included, removals excluded)', async () => {
    for (const image of IMAGES) {
      const spec = JSON.parse((await almac(['print', image, '--json'])).stdout) as {
        packages: { install: string[]; exclude: string[]; remove: string[] };
        weakDeps: boolean;
        docs: boolean;
        releasever: string;
      };
      const expected = await resolvePackageSet({ ...spec.packages, weakDeps: spec.weakDeps, docs: spec.docs, releasever: spec.releasever });
      for (const route of ROUTES) {
        const b = build(image, route);
        const manifest = readFileSync(b.manifest, 'utf8');
        if (image === '9/micro') {
          // by design: micro deletes its rpm database (definitions/images/micro.alma), so the manifest
          // says so and the package set is checked through the files below
          expect(b.packages).toBeNull();
          expect(manifest).toMatch(/no rpm database/);
          continue;
        }
        expect(manifest.split('\n').filter(Boolean), `${image} via ${route}`).toEqual(expected);
        expect(b.packages).toBe(expected.length);
      }
    }
  }, 300_000);

  it('both routes produce the same packages and the same files', async () => {
    const differences: string[] = [];
    for (const image of IMAGES) {
      const [a, b] = ROUTES.map((r) => build(image, r));
      expect(readFileSync(a!.manifest, 'utf8')).toBe(readFileSync(b!.manifest, 'utf8'));
      const fa = await imageFiles(a!.localTag);
      const fb = await imageFiles(b!.localTag);
      const index = (l: FileEntry[]): Map<string, string> => new Map(l.map((e) => [e.path, e.meta]));
      const ia = index(fa);
      const ib = index(fb);
      for (const p of new Set([...ia.keys(), ...ib.keys()])) {
        const ma = ia.get(p);
        const mb = ib.get(p);
        if (ma === mb) continue;
        const sizeOnly = ma && mb && ma.replace(/ \d+$/, '') === mb.replace(/ \d+$/, '') && ma.startsWith('f ');
        if (sizeOnly && SIZE_MAY_DIFFER.some((d) => d.pattern.test(p))) continue;
        differences.push(`${image} ${p}: containerfile=${ma ?? '(absent)'} kickstart=${mb ?? '(absent)'}`);
      }
      expect(fa.length).toBeGreaterThan(50);
    }
    expect(differences).toEqual([]);
  }, 120_000);

  it('the image config is the definition\'s through both routes', async () => {
    for (const image of IMAGES) {
      const [a, b] = await Promise.all(ROUTES.map(async (r) => {
        const i = await podman(['image', 'inspect', '--format', '{{json .Config}}', build(image, r).localTag]);
        return JSON.parse(i.stdout) as { Cmd?: string[]; Env?: string[]; Entrypoint?: string[]; StopSignal?: string; Labels?: Record<string, string> };
      }));
      expect(b!.Cmd).toEqual(a!.Cmd);
      expect(b!.Entrypoint ?? null).toEqual(a!.Entrypoint ?? null);
      expect(b!.Env).toEqual(a!.Env);
      // by design: podman import stores STOPSIGNAL as a number (SIGRTMIN+3 = 37 on Linux), and only
      // builds carry the io.buildah.version label
      const sig = (s?: string): string | undefined => (s === 'SIGRTMIN+3' ? '37' : s);
      expect(sig(b!.StopSignal)).toEqual(sig(a!.StopSignal));
    }
  });

  it('a second build with nothing changed skips every build', async () => {
    const r = await almac(['build', ...IMAGES, '--via', 'containerfile', '--via', 'kickstart', '--json', ...fixtureArgs(first.buildDir)]);
    expect(r.code, r.stderr).toBe(0);
    const j = parseBuildJson(r);
    expect(j.builds.map((b) => `${b.image} ${b.route} ${b.status}`)).toEqual(
      first.json.builds.map((b) => `${b.image} ${b.route} skipped`),
    );
    expect(j.builds.map((b) => b.imageId)).toEqual(first.json.builds.map((b) => b.imageId));
  }, 60_000);

  it('a false assertion fails the build and is reported with its file:line', async () => {
    const project = copyProject();
    const file = join(project, 'definitions', 'images', 'init.alma');
    const text = readFileSync(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    // before the image's closing brace
    lines.splice(lines.length - 1, 0, '  assert {', '    path-exists /nope', '  }');
    writeFileSync(file, lines.join('\n') + '\n');
    const line = lines.indexOf('    path-exists /nope') + 1;
    const gen = await almac(['generate', '--root', project, '--quiet']);
    expect(gen.code, gen.stderr).toBe(0);
    const buildDir = join(project, '.almac', 'build');
    const r = await almac(['build', '9/init', '--root', project, ...fixtureArgs(buildDir)]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/9\/init\s+containerfile\s+FAILED/);
    expect(r.stdout).toContain(`path-exists /nope — /nope does not exist  [definitions/images/init.alma:${line}]`);
    expect(r.stderr).toContain(`assertion failed: path-exists /nope — /nope does not exist  (definitions/images/init.alma:${line})`);
    // the other assertions of the same image passed
    const j = parseBuildJson(await almac(['build', '9/init', '--json', '--root', project, ...fixtureArgs(buildDir)]));
    const failed = j.builds[0]!.assertions.filter((a) => !a.ok);
    expect(failed.map((a) => [a.name, a.origin])).toEqual([['path-exists /nope', `definitions/images/init.alma:${line}`]]);
    // a failed image gets none of the definition's tags
    expect(j.builds[0]!.tags).toEqual([]);
  }, 180_000);

  it('stops at the first failure, or with --keep-going builds the others', async () => {
    const project = copyProject();
    const file = join(project, 'definitions', 'images', 'init.alma');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    lines.splice(lines.length - 1, 0, '  install no-such-package');
    writeFileSync(file, lines.join('\n') + '\n');
    expect((await almac(['generate', '--root', project, '--quiet'])).code).toBe(0);
    const buildDir = join(project, '.almac', 'build');
    // builds run in image order: 9/init (broken) first
    const ff = await almac(['build', '9/init', '9/micro', '--jobs', '1', '--json', '--root', project, ...fixtureArgs(buildDir)]);
    expect(ff.code, ff.stderr).toBe(1);
    const j1 = parseBuildJson(ff);
    expect(j1.builds.map((b) => `${b.image} ${b.status}`)).toEqual(['9/init failed', '9/micro not-run']);
    expect(j1.builds[0]!.error).toMatch(/podman build of generated\/containerfiles\/9\/Containerfile\.init failed \(exit code 1\)/);
    expect(readFileSync(j1.builds[0]!.log, 'utf8')).toMatch(/No match for argument: no-such-package/);
    expect(ff.stderr).toMatch(/✗ 9\/init via containerfile \(linux\/amd64\) failed during build/);
    expect(ff.stderr).toMatch(/\| .*No match for argument: no-such-package/); // the log's tail
    const kg = await almac(['build', '9/init', '9/micro', '--jobs', '1', '--keep-going', '--json', '--root', project, ...fixtureArgs(buildDir)]);
    expect(kg.code, kg.stderr).toBe(1);
    expect(parseBuildJson(kg).builds.map((b) => `${b.image} ${b.status}`)).toEqual(['9/init failed', '9/micro built']);
    expect(await leftovers(buildDir)).toEqual({ processes: [], workingContainers: [], containers: [], mounts: [], runc: [], danglingImages: [] });
  }, 180_000);

  it('--dry-run prints the exact commands and runs nothing', async () => {
    const before = (await podman(['images', '-q', '--no-trunc'])).stdout;
    const r = await almac(['build', '9/minimal', '--via', 'containerfile', '--via', 'kickstart', '--force', '--dry-run', ...fixtureArgs(first.buildDir)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^#!\/bin\/sh\n/);
    expect(r.stdout).toContain(`export CONTAINERS_STORAGE_CONF=${join(STORE, 'conf', 'storage.conf')}`);
    expect(r.stdout).toMatch(new RegExp(`podman build --pull=never --layers=false --network none --platform linux/amd64 --build-arg SYSBASE=localhost/almac/builder:[0-9a-f-]+ --build-arg TARGETPLATFORM=linux/amd64 --iidfile \\S+ -f ${REPO_ROOT}/generated/containerfiles/9/Containerfile\\.minimal -t localhost/almac/9-minimal:containerfile-amd64 `));
    expect(r.stdout).toMatch(/dnf -y --config \S+\/dnf\.conf --setopt=reposdir=\S+ --installroot \S+\/root --releasever 9 --nodocs --setopt=install_weak_deps=False install coreutils-single glibc-minimal-langpack/);
    expect(r.stdout).toMatch(/podman run --name \S+ --rm --network none --entrypoint \/bin\/sh --env ANA_INSTALL_PATH=\/mnt\/sysimage --volume \S+\/root:\/mnt\/sysimage/);
    expect(r.stdout).toMatch(/podman import -q --change 'CMD \["\/bin\/bash"\]'/);
    expect(r.stderr).toMatch(/dry run: 2 of 2 builds would run; nothing was run/);
    expect((await podman(['images', '-q', '--no-trunc'])).stdout).toBe(before);
    // and without --force: what is up to date is said so
    const r2 = await almac(['build', '9/minimal', '--dry-run', ...fixtureArgs(first.buildDir)]);
    expect(r2.stdout).toMatch(/# unchanged since \S+; image [0-9a-f]{12} \(localhost\/almac\/9-minimal:containerfile-amd64\) is kept/);
  }, 60_000);

  it('downloads every package once per run from an http repository, not once per image', async () => {
    const { server, rpmRequests, url } = await serveFixture();
    try {
      const buildDir = tempDir('bd-http-');
      const r = await almac(['build', '9/minimal', '9/init', '--via', 'containerfile', '--via', 'kickstart', '--json', ...fixtureArgs(buildDir, url)]);
      expect(r.code, r.stderr).toBe(0);
      const j = parseBuildJson(r);
      const distinct = new Set(j.builds.flatMap((b) => readFileSync(b.manifest, 'utf8').split('\n').filter(Boolean)));
      expect(j.builds.length).toBe(4);
      expect(rpmRequests.length).toBe(distinct.size);
      expect(new Set(rpmRequests).size).toBe(rpmRequests.length);
      expect(j.packageCache?.upstreamRpmFetches).toBe(distinct.size);
    } finally {
      server.close();
    }
  }, 240_000);

  it('an interrupted build leaves no process, container, mount or dangling image behind', async () => {
    const buildDir = tempDir('bd-int-');
    const child = startAlmac(['build', '9/init', '9/minimal', '--via', 'containerfile', '--via', 'kickstart', '--force', '--jobs', '2', ...fixtureArgs(buildDir)]);
    let err = '';
    const started = new Promise<void>((res) => {
      child.stderr!.on('data', (b: Buffer) => {
        err += b.toString();
        // interrupt while the package installs run: inside the build container and on the host
        if (/step 3\/\d+: RUN/.test(err) && /dnf install/.test(err)) res();
      });
    });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    await Promise.race([started, exited]);
    child.kill('SIGINT');
    const code = await exited;
    expect(code, err).toBe(130);
    expect(err).toMatch(/interrupted by SIGINT/);
    expect(await leftovers(buildDir)).toEqual({ processes: [], workingContainers: [], containers: [], mounts: [], runc: [], danglingImages: [] });
  }, 180_000);
});

describe('almac build without an engine', () => {
  it('says how to install one and exits 3', async () => {
    const r = await almac(['build', '9/minimal'], { env: { ...(process.env as Record<string, string>), PATH: '/nonexistent' } });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/No container engine found on PATH \(looked for podman, buildah, docker\)/);
    expect(r.stderr).toMatch(/Install one, e\.g\.|podman\.io/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names the missing engine when one is asked for', async () => {
    const r = await almac(['build', '--engine', 'docker', '9/minimal'], { env: { ...(process.env as Record<string, string>), PATH: '/nonexistent' } });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/'docker' was not found on PATH/);
  });
});

describe('almac build usage errors', () => {
  it('rejects an unknown selector with a suggestion', async () => {
    const r = await almac(['build', '9/minmal']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/no image matches `9\/minmal`; did you mean `9\/minimal`\?/);
  });

  it('rejects a malformed --repo', async () => {
    const r = await almac(['build', '9/minimal', '--repo', 'fixture']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--repo expects NAME=URL or NAME=DIR/);
    const d = await almac(['build', '9/minimal', '--repo', `fixture=${REPO_ROOT}`]);
    expect(d.code, d.stderr).toBe(2);
    expect(d.stderr).toMatch(/is not a package repository \(no repodata\/repomd\.xml/);
  });

  it('refuses a remote --repo without a known GPG key', async () => {
    const r = await almac(['build', '9/minimal', '--repo', 'mirror=https://mirror.example/almalinux/9/BaseOS/x86_64/os/']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/defines no repository 'mirror' to take the key from \(its repositories: baseos, appstream\)/);
  });
});
