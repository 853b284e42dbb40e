// Engine helpers (src/runner/engine): pure parts always; the real-engine parts when podman, runc, a
// static busybox and root are available (otherwise skipped, with the reason in the test name).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EngineNotFoundError,
  KILL_SAFE_PREFIX,
  PDEATHSIG_PREFIX,
  CommandError,
  PodmanEngine,
  buildArgv,
  buildahConfigArgs,
  findImage,
  findLeftoversSync,
  reapLeftoversSync,
  detectEngine,
  detectEngines,
  enginePaths,
  execCommand,
  findOnPath,
  importArgv,
  importChanges,
  installHint,
  interruptChildren,
  isLeakFree,
  killSafeArgv,
  mergeEnv,
  mountsUnder,
  parseBuildahInspect,
  parseImageInspect,
  parseSize,
  parseRuncList,
  prepareEngineEnvironment,
  prepareRpmHome,
  renderContainersConf,
  renderRpmMacros,
  renderStorageConf,
  runArgv,
  runcContainersUnder,
  type EngineEnvironment,
} from '../../src/runner/engine/index.js';
import { readManifest } from '../../src/runner/verify.js';
import { busyboxUnavailable, makeBusyboxTar } from './helpers/busybox-image.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('detect', () => {
  it('finds executables on a given PATH only', async () => {
    const d = await mkdtemp(join(tmpdir(), 'almac-path-'));
    await writeFile(join(d, 'podman'), '#!/bin/sh\n');
    await chmod(join(d, 'podman'), 0o755);
    await writeFile(join(d, 'docker'), 'not executable');
    expect(findOnPath('podman', d)).toBe(join(d, 'podman'));
    expect(findOnPath('docker', d)).toBeUndefined();
    expect(detectEngines(d).map((e) => e.name)).toEqual(['podman']);
    expect(detectEngine({ pathEnv: d })).toEqual({ name: 'podman', path: join(d, 'podman') });
    expect(() => detectEngine({ pathEnv: d, prefer: 'docker' })).toThrow(/'docker' was not found/);
    await rm(d, { recursive: true });
  });

  it('explains how to install an engine when there is none', () => {
    let err: unknown;
    try {
      detectEngine({ pathEnv: '/nonexistent', osRelease: 'ID=debian\n' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngineNotFoundError);
    expect((err as Error).message).toMatch(/No container engine found on PATH \(looked for podman, buildah, docker\)/);
    expect((err as EngineNotFoundError).hint).toMatch(/apt-get install -y --no-install-recommends podman buildah runc/);
    expect(installHint('ID="almalinux"\nID_LIKE="rhel centos fedora"\n')).toMatch(/dnf install -y podman/);
    expect(installHint('ID=ubuntu\nID_LIKE=debian\n')).toMatch(/apt-get/);
    expect(installHint('')).toMatch(/podman\.io/);
  });
});

describe('environment', () => {
  it('renders containers.conf with runc, both ulimits, netns none and tmp_dir', () => {
    const t = renderContainersConf({ tmpDir: '/s/run/libpod' });
    expect(t).toContain('runtime = "runc"');
    expect(t).toContain('"nofile=1024:1024"');
    expect(t).toContain('"nproc=1024:1024"');
    expect(t).toContain('netns = "none"');
    expect(t).toContain('tmp_dir = "/s/run/libpod"');
    expect(() => renderContainersConf({ tmpDir: 'relative' })).toThrow(/absolute/);
    expect(() => renderContainersConf({ tmpDir: '/x', ulimits: { nofile: 0, nproc: 1 } })).toThrow(/ulimit/);
  });

  it('renders storage.conf with absolute roots and escapes TOML strings', () => {
    const t = renderStorageConf({ graphRoot: '/a "b"/storage', runRoot: '/a/run' });
    expect(t).toContain('driver = "overlay"');
    expect(t).toContain('graphroot = "/a \\"b\\"/storage"');
    expect(renderStorageConf({ graphRoot: '/g', runRoot: '/r', overlayMountProgram: '/usr/bin/fuse-overlayfs' })).toContain('mount_program = "/usr/bin/fuse-overlayfs"');
    expect(() => renderStorageConf({ graphRoot: 'g', runRoot: '/r' })).toThrow(/absolute/);
  });

  it('prepares a per-run state dir and absolute env vars', async () => {
    const d = await mkdtemp(join(tmpdir(), 'almac-env-'));
    const e = await prepareEngineEnvironment({ stateDir: join(d, 'state') });
    const p = enginePaths(join(d, 'state'));
    expect(e.env).toEqual({ CONTAINERS_CONF: p.containersConf, CONTAINERS_STORAGE_CONF: p.storageConf, TMPDIR: p.tmpDir });
    for (const v of Object.values(e.env)) expect(v.startsWith('/')).toBe(true);
    expect(await readFile(e.storageConf, 'utf8')).toContain(`graphroot = "${p.graphRoot}"`);
    expect(existsSync(e.tmpDir)).toBe(true);
    await rm(d, { recursive: true });
  });

  it('drops empty CONTAINERS_* variables from child environments', () => {
    expect(mergeEnv({ PATH: '/bin', CONTAINERS_STORAGE_CONF: '' }, { CONTAINERS_CONF: '/c' })).toEqual({ PATH: '/bin', CONTAINERS_CONF: '/c' });
  });

  it('writes an .rpmmacros that moves the rpmdb to /var/lib/rpm', async () => {
    expect(renderRpmMacros()).toBe('%_dbpath /var/lib/rpm\n');
    expect(renderRpmMacros({ _install_langs: 'en_US.UTF-8' })).toBe('%_dbpath /var/lib/rpm\n%_install_langs en_US.UTF-8\n');
    expect(() => renderRpmMacros({ 'bad name': 'x' })).toThrow();
    const d = await mkdtemp(join(tmpdir(), 'almac-rpmhome-'));
    const h = await prepareRpmHome(d);
    expect(h.env).toEqual({ HOME: d });
    expect(await readFile(join(d, '.rpmmacros'), 'utf8')).toBe('%_dbpath /var/lib/rpm\n');
    await rm(d, { recursive: true });
  });
});

describe('exec', () => {
  it('wraps commands in a PID namespace that dies with them', () => {
    expect(killSafeArgv(['podman', 'build', '.'])).toEqual([...KILL_SAFE_PREFIX, '--', 'podman', 'build', '.']);
    expect(killSafeArgv(['podman'], { pdeathsig: true })).toEqual(['setpriv', '--pdeathsig', 'SIGKILL', ...KILL_SAFE_PREFIX, '--', 'podman']);
    expect(PDEATHSIG_PREFIX).toEqual(['setpriv', '--pdeathsig', 'SIGKILL']);
    expect(KILL_SAFE_PREFIX).toEqual(['unshare', '--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL']);
    expect(() => killSafeArgv([])).toThrow();
  });

  it('captures output, exit codes and writes a log file', async () => {
    const d = await mkdtemp(join(tmpdir(), 'almac-exec-'));
    const log = join(d, 'sub', 'x.log');
    const r = await execCommand(['sh', '-c', 'echo out; echo err >&2; exit 3'], { logFile: log });
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    const text = await readFile(log, 'utf8');
    expect(text).toMatch(/^\$ sh -c 'echo out; echo err >&2; exit 3'\n/);
    expect(text).toContain('# exit 3');
    await rm(d, { recursive: true });
  });

  it('kills the whole process group on timeout', async () => {
    const d = await mkdtemp(join(tmpdir(), 'almac-exec-'));
    const pidFile = join(d, 'pid');
    const r = await execCommand(['sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    const pid = Number(await readFile(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 100));
    expect(existsSync(`/proc/${pid}`) ? (await readFile(`/proc/${pid}/stat`, 'utf8')).split(' ')[2] : 'gone').toMatch(/gone|Z/);
    await rm(d, { recursive: true });
  });

  it('parses runc list output and selects the run\'s containers', () => {
    expect(parseRuncList('null\n')).toEqual([]);
    const list = parseRuncList(JSON.stringify([
      { id: 'a', pid: 10, status: 'running', bundle: '/s/tmp/buildah123/mnt' },
      { id: 'b', pid: 11, status: 'running', bundle: '/other/bundle' },
    ]));
    expect(runcContainersUnder(list, '/s/tmp').map((c) => c.id)).toEqual(['a']);
  });

  it('finds mount points under the state dir', () => {
    const mi = [
      '100 30 0:50 / /s/storage/overlay/abc/merged rw,relatime - overlay overlay rw',
      '101 30 0:51 / /s/storage\\040x/merged rw - overlay overlay rw',
      '102 30 0:52 / /elsewhere rw - tmpfs tmpfs rw',
    ].join('\n');
    expect(mountsUnder(mi, ['/s'])).toEqual(['/s/storage/overlay/abc/merged', '/s/storage x/merged']);
  });
});

describe('podman argv and parsing', () => {
  it('builds with --pull=never --layers=false --network none by default', () => {
    expect(buildArgv({ containerfile: '/c/Containerfile', contextDir: '/c', tag: 'localhost/x:1', buildArgs: { SYSBASE: 'localhost/b' }, platform: 'linux/amd64' }, 'podman', '/t/iid')).toEqual([
      'build', '--pull=never', '--layers=false', '--network', 'none', '--platform', 'linux/amd64',
      '--build-arg', 'SYSBASE=localhost/b', '--build-arg', 'TARGETPLATFORM=linux/amd64',
      '--iidfile', '/t/iid', '-f', '/c/Containerfile', '-t', 'localhost/x:1', '/c',
    ]);
    const chroot = buildArgv({ containerfile: 'C', contextDir: '.', tag: 't', isolation: 'chroot' });
    expect(chroot).toContain('chroot');
    expect(chroot).not.toContain('--network'); // chroot isolation rejects --network none
    const docker = buildArgv({ containerfile: 'C', contextDir: '.', tag: 't' }, 'docker');
    expect(docker.join(' ')).not.toMatch(/--pull|--layers/);
    expect(() => buildArgv({ containerfile: 'C', contextDir: '.', tag: 't', buildArgs: { 'A B': '1' } })).toThrow(/build arg/);
  });

  it('turns image changes into import --change instructions', () => {
    expect(importChanges({ cmd: ['/bin/bash'], env: { LANG: 'C.utf8' }, labels: { 'org.opencontainers.image.title': 'x y' }, stopSignal: 'SIGRTMIN+3' })).toEqual([
      'CMD ["/bin/bash"]', 'ENV LANG="C.utf8"', 'LABEL org.opencontainers.image.title="x y"', 'STOPSIGNAL SIGRTMIN+3',
    ]);
    expect(importArgv('/r.tar', 'localhost/r:1', { cmd: '/bin/sh' })).toEqual(['import', '--change', 'CMD /bin/sh', '/r.tar', 'localhost/r:1']);
    expect(() => importChanges({ stopSignal: 'TERM; rm' })).toThrow();
    expect(() => importChanges({ cmd: 'a\nb' })).toThrow();
    expect(buildahConfigArgs({ cmd: ['/sbin/init'], stopSignal: 'SIGRTMIN+3' })).toEqual(['--cmd', '["/sbin/init"]', '--stop-signal', 'SIGRTMIN+3']);
  });

  it('runs with --rm --network none', () => {
    expect(runArgv('img', ['cat', '/etc/os-release'])).toEqual(['run', '--rm', '--network', 'none', 'img', 'cat', '/etc/os-release']);
    expect(runArgv('img', ['true'], { name: 'n', labels: { 'org.almac.pid': '7' } })).toEqual(['run', '--name', 'n', '--rm', '--network', 'none', '--label', 'org.almac.pid=7', 'img', 'true']);
  });

  it('parses podman/docker and buildah inspect output', () => {
    const info = parseImageInspect(JSON.stringify([{
      Id: 'abc', Size: 4396905, Created: '2026-01-01T00:00:00Z', Architecture: 'amd64', Os: 'linux', RepoTags: ['localhost/a:9'],
      Config: { Env: ['PATH=/usr/bin', 'LANG=C.utf8'], Cmd: ['/sbin/init'], Labels: { a: 'b' }, StopSignal: 'SIGRTMIN+3' },
      RootFS: { Type: 'layers', Layers: ['sha256:1'] },
    }]));
    expect(info).toMatchObject({ id: 'abc', size: 4396905, cmd: ['/sbin/init'], env: { LANG: 'C.utf8' }, labels: { a: 'b' }, stopSignal: 'SIGRTMIN+3', layers: 1, repoTags: ['localhost/a:9'] });
    const b = parseBuildahInspect(JSON.stringify({ FromImageID: 'def', FromImage: 'localhost/a:9', OCIv1: { architecture: 'amd64', os: 'linux', rootfs: { diff_ids: ['x', 'y'] } }, Docker: { config: { Cmd: ['/bin/bash'], Env: ['A=1'] } } }));
    expect(b).toMatchObject({ id: 'def', cmd: ['/bin/bash'], env: { A: '1' }, layers: 2 });
    expect(parseSize('4.4 MB')).toBe(4_400_000);
    expect(parseSize('251 kB')).toBe(251_000);
  });
});

// --- real engine ----------------------------------------------------------------------------------

function engineUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (!findOnPath('podman')) return 'podman not on PATH (scripts/setup-engine.sh)';
  if (!findOnPath('runc')) return 'runc not on PATH (scripts/setup-engine.sh)';
  if (process.getuid?.() !== 0) return 'not root (the kill-safe PID namespace needs CAP_SYS_ADMIN)';
  return busyboxUnavailable();
}
const skipReason = engineUnavailable();

describe.skipIf(skipReason !== undefined)(`real engine (podman)${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let work: string;
  let environment: EngineEnvironment;
  let engine: PodmanEngine;
  const exists = async (ref: string): Promise<boolean> => findImage(await engine.listImages(), ref) !== undefined;
  const failure = async (p: Promise<unknown>): Promise<CommandError> => {
    try {
      await p;
    } catch (e) {
      if (e instanceof CommandError) return e;
      throw e;
    }
    throw new Error('expected the build to fail');
  };
  const BASE = 'localhost/almac-test:busybox';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'almac-engine-test-'));
    environment = await prepareEngineEnvironment({ stateDir: join(work, 'state') });
    engine = new PodmanEngine({ store: environment, killSafe: true });
    const tar = await makeBusyboxTar(work);
    await engine.importRoot(tar, BASE, { cmd: ['/bin/sh', '-c', 'echo hello from $GREETING'], env: { GREETING: 'busybox' }, labels: { 'org.almac.test': 'yes' }, stopSignal: 'SIGRTMIN+3' });
  }, 60_000);

  afterAll(async () => {
    if (!engine) return;
    await execCommand(['podman', 'system', 'reset', '-f'], { env: engine.env });
    await rm(work, { recursive: true, force: true });
  }, 60_000);

  it('imports a tarball with CMD/ENV/LABEL/STOPSIGNAL and inspects it', async () => {
    expect(await exists(BASE)).toBe(true);
    expect(await exists('localhost/almac-test:nope')).toBe(false);
    const info = await engine.inspect(BASE);
    // podman import stores STOPSIGNAL numerically (SIGRTMIN+3 -> "37"); builds keep the name
    expect(info).toMatchObject({ cmd: ['/bin/sh', '-c', 'echo hello from $GREETING'], stopSignal: '37', layers: 1, os: 'linux' });
    expect(info.env['GREETING']).toBe('busybox');
    expect(info.labels['org.almac.test']).toBe('yes');
    expect(info.size).toBeGreaterThan(1_000_000);
  });

  it('mounts an image\'s root and reads its rpmdb with the host\'s rpm (none in the busybox image)', async () => {
    const id = findImage(await engine.listImages(), BASE)!.id;
    const root = await engine.mountImage(id, join(work, 'scratch'));
    expect(existsSync(join(root.path, 'bin', 'busybox'))).toBe(true);
    expect((await readManifest(root.path, join(work, 'scratch'))).packages).toBeNull();
    await root.release();
    expect(findLeftoversSync(engine).imageMounts).toEqual([]);
  });

  it('runs an image (default command and argv)', async () => {
    expect(await engine.run(BASE, ['/bin/sh', '-c', 'echo hello from $GREETING'])).toMatchObject({ code: 0, stdout: 'hello from busybox\n' });
    const r = await engine.run(BASE, ['sh', '-c', 'cat; exit 7'], { input: 'piped', allowFailure: true });
    expect(r).toMatchObject({ code: 7, stdout: 'piped' });
  });

  it('builds a Containerfile (OCI isolation, --network none) and leaves nothing behind', async () => {
    const ctx = join(work, 'ctx-ok');
    await mkdir(ctx, { recursive: true });
    await writeFile(join(ctx, 'Containerfile'), 'ARG BASE\nFROM ${BASE} AS one\nRUN echo built > /built && ls /sys/class/net > /nets\nFROM ${BASE}\nCOPY --from=one /built /nets /\nCMD ["cat", "/built"]\n');
    const log = join(work, 'build-ok.log');
    const sink = { dryRun: false, run: (argv: string[], o = {}) => execCommand(argv, { logFile: log, ...o }).then((r) => { argvs.push(r.argv.join(' ')); return r; }) };
    const argvs: string[] = [];
    const id = await engine.build({ containerfile: join(ctx, 'Containerfile'), contextDir: ctx, tag: 'localhost/almac-test:built', buildArgs: { BASE }, timeoutMs: 120_000 }, sink);
    expect(argvs[0]).toContain('unshare --pid --fork --mount-proc --kill-child=SIGKILL -- ');
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await engine.run('localhost/almac-test:built', ['cat', '/built'])).stdout).toBe('built\n');
    expect((await engine.run('localhost/almac-test:built', ['cat', '/nets'])).stdout.trim()).toBe('lo'); // no network
    expect(await readFile(log, 'utf8')).toContain('# exit 0');
    const leaks = findLeftoversSync(engine);
    expect(leaks, JSON.stringify(leaks)).toSatisfy(isLeakFree);
    const dangling = await execCommand(['podman', 'images', '-q', '-f', 'dangling=true'], { env: mergeEnv(process.env, environment.env) });
    expect(dangling.stdout.trim()).toBe(''); // --layers=false
  }, 120_000);

  it('a failing build reports its exit code and is cleaned up', async () => {
    const ctx = join(work, 'ctx-fail');
    await mkdir(ctx, { recursive: true });
    await writeFile(join(ctx, 'Containerfile'), 'ARG BASE\nFROM ${BASE}\nRUN echo about to fail; exit 42\n');
    const e = await failure(engine.build({ containerfile: join(ctx, 'Containerfile'), contextDir: ctx, tag: 'localhost/almac-test:fail', buildArgs: { BASE } }));
    expect(e.message).toMatch(/exit code/);
    expect(e.result!.stdout + e.result!.stderr).toMatch(/exit status 42/);
    expect(reapLeftoversSync(engine).errors).toEqual([]);
    expect(findLeftoversSync(engine)).toSatisfy(isLeakFree);
    expect(await exists('localhost/almac-test:fail')).toBe(false);
  }, 120_000);

  it('a missing base image fails fast without a registry lookup (--pull=never)', async () => {
    const ctx = join(work, 'ctx-nobase');
    await mkdir(ctx, { recursive: true });
    await writeFile(join(ctx, 'Containerfile'), 'FROM localhost/almac-test:does-not-exist\nRUN true\n');
    const e = await failure(engine.build({ containerfile: join(ctx, 'Containerfile'), contextDir: ctx, tag: 'localhost/almac-test:x', timeoutMs: 60_000 }));
    expect(e.result!.stderr).toMatch(/image not known|does not exist/);
    expect(e.result!.durationMs).toBeLessThan(30_000);
  }, 60_000);

  async function sleepingContext(name: string, marker: string): Promise<string> {
    const ctx = join(work, name);
    await mkdir(ctx, { recursive: true });
    await writeFile(join(ctx, 'Containerfile'), `ARG BASE\nFROM \${BASE}\nRUN echo step-started; sleep ${marker}\n`);
    return ctx;
  }

  async function sleepersAlive(marker: string): Promise<number[]> {
    const r = await execCommand(['sh', '-c', `for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -qx "sleep ${marker} " && echo \${p#/proc/}; done; true`]);
    return r.stdout.split('\n').filter(Boolean).map(Number);
  }

  /** The RUN step printed its marker; its `sleep` follows a few milliseconds later. */
  async function waitForSleeper(marker: string): Promise<number[]> {
    for (let i = 0; i < 50; i++) {
      const pids = await sleepersAlive(marker);
      if (pids.length) return pids;
      await new Promise((res) => setTimeout(res, 100));
    }
    return [];
  }

  it('a timed-out build leaves no RUN-step process, container, mount or runc state behind', async () => {
    const marker = '317';
    const ctx = await sleepingContext('ctx-timeout', marker);
    let sawSleeper = false;
    const e = await failure(engine.build({
      containerfile: join(ctx, 'Containerfile'), contextDir: ctx, tag: 'localhost/almac-test:timeout', buildArgs: { BASE }, timeoutMs: 10_000,
      onLine: (c) => { if (c.includes('step-started')) void waitForSleeper(marker).then((p) => (sawSleeper = p.length === 1)); },
    }));
    expect(e.result!.timedOut).toBe(true);
    expect(sawSleeper).toBe(true);
    await new Promise((res) => setTimeout(res, 300));
    expect(await sleepersAlive(marker)).toEqual([]);
    reapLeftoversSync(engine); // what the killed build left (the runner does this after a failed run)
    const leaks = findLeftoversSync(engine);
    expect(leaks, JSON.stringify(leaks)).toSatisfy(isLeakFree);
  }, 60_000);

  it('interrupting (what SIGINT/SIGTERM do) kills a running build and cleans up', async () => {
    const marker = '318';
    const ctx = await sleepingContext('ctx-interrupt', marker);
    let started!: () => void;
    const stepStarted = new Promise<void>((res) => (started = res));
    const build = engine.build({
      containerfile: join(ctx, 'Containerfile'), contextDir: ctx, tag: 'localhost/almac-test:interrupted', buildArgs: { BASE }, timeoutMs: 60_000,
      onLine: (c) => { if (c.includes('step-started')) started(); },
    });
    await stepStarted;
    expect(await waitForSleeper(marker)).toHaveLength(1);
    interruptChildren();
    const e = await failure(build);
    expect(e.result!.signal).toBe('SIGKILL');
    await new Promise((res) => setTimeout(res, 300));
    expect(await sleepersAlive(marker)).toEqual([]);
    reapLeftoversSync(engine);
    expect(findLeftoversSync(engine)).toSatisfy(isLeakFree);
  }, 60_000);

  const viteNode = join(ROOT, 'node_modules', '.bin', 'vite-node');

  /** Starts test/e2e/helpers/interrupted-build.ts in its own process; resolves once its RUN step sleeps. */
  async function startHelper(marker: string): Promise<{ child: ReturnType<typeof spawn>; output: () => string }> {
    const ctx = await sleepingContext(`ctx-helper-${marker}`, marker);
    const child = spawn(viteNode, [join(ROOT, 'test/e2e/helpers/interrupted-build.ts'), environment.stateDir, ctx, BASE], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`helper never got ready: ${out}`)), 45_000);
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('READY')) {
          clearTimeout(t);
          res();
        }
      });
      child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    });
    expect(await waitForSleeper(marker)).toHaveLength(1);
    return { child, output: () => out };
  }

  it.skipIf(!existsSync(viteNode))('SIGTERM to the parent process kills its build and cleans up (separate process)', async () => {
    const marker = '319';
    const { child, output } = await startHelper(marker);
    child.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => child.once('close', (c, s) => res([c, s])));
    // killed by the re-raised SIGTERM, or 143 (= 128 + 15) when vite-node's own handler exits for it
    expect([signal, code], output()).toSatisfy(([s, c]: [unknown, unknown]) => s === 'SIGTERM' || c === 143);
    expect(output()).not.toContain('build returned without a signal');
    await new Promise((res) => setTimeout(res, 300));
    expect(await sleepersAlive(marker)).toEqual([]);
    const leaks = findLeftoversSync(engine);
    expect(leaks, JSON.stringify(leaks)).toSatisfy(isLeakFree);
  }, 90_000);

  it.skipIf(!existsSync(viteNode) || !findOnPath('setpriv'))('SIGKILL to the parent process still kills the RUN step (setpriv --pdeathsig)', async () => {
    const marker = '320';
    const { child } = await startHelper(marker);
    child.kill('SIGKILL');
    await new Promise((res) => child.once('close', res));
    let alive: number[] = [];
    for (let i = 0; i < 30; i++) {
      alive = await sleepersAlive(marker);
      if (!alive.length) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(alive).toEqual([]);
    // no handler could run: the working container / runc state are still there until reaped
    const r = reapLeftoversSync(engine);
    expect(r.errors).toEqual([]);
    const leaks = findLeftoversSync(engine);
    expect(leaks, JSON.stringify(leaks)).toSatisfy(isLeakFree);
  }, 90_000);

  it.skipIf(!findOnPath('buildah'))('finds and reaps a container that exists only in the storage layer (a `podman run` killed while creating it)', async () => {
    const env = mergeEnv(process.env, environment.env);
    // a working container stripped of buildah's metadata is what podman leaves when killed between
    // creating the storage container and recording it: neither `podman ps -a` nor `buildah containers` lists it
    const from = await execCommand(['buildah', 'from', '--pull=never', '--name', 'almac-run-1-storage', BASE], { env });
    const id = (await execCommand(['buildah', 'inspect', '--format', '{{.ContainerID}}', from.stdout.trim()], { env })).stdout.trim();
    await rm(join(environment.graphRoot, 'overlay-containers', id, 'userdata', 'buildah.json'));
    expect((await execCommand(['buildah', 'containers', '-q'], { env })).stdout.trim()).toBe('');
    expect((await execCommand(['podman', 'ps', '-aq'], { env })).stdout.trim()).toBe('');
    expect(findLeftoversSync(engine).workingContainers.map((c) => c.slice(0, 12))).toEqual([id.slice(0, 12)]);
    expect(reapLeftoversSync(engine).errors).toEqual([]);
    expect((await execCommand(['buildah', 'containers', '--all', '-q'], { env })).stdout.trim()).toBe('');
    expect(findLeftoversSync(engine)).toSatisfy(isLeakFree);
  }, 60_000);

  it('reaping is harmless when there is nothing to reap', async () => {
    expect(reapLeftoversSync(engine)).toEqual({ removed: 0, errors: [] });
  });
});
