// Shared set-up of the `almac build` end-to-end tests: the offline fixture RPM repository
// (scripts/make-fixture-repo.sh), the builder image standing in for quay.io/almalinuxorg/almalinux:9
// (scripts/make-builder-image.sh, from a cached mmdebstrap tarball) in a hermetic podman store, and
// helpers to run almac / podman / the host's dnf against them. The work directory is stable across runs
// (so the 250 MB builder is imported once per machine) and set up under a file lock, so test files that
// run at the same time share one set-up.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import { engineEnvVars, enginePaths } from '../../src/runner/engine/environment.js';
import { processes as runningProcesses } from '../helpers/processes.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(REPO_ROOT, 'bin', 'almac.js');
export const WORK = join(process.env['ALMAC_E2E_WORK'] ?? tmpdir(), 'almac-build-e2e');
export const STORE = join(WORK, 'engine');
/**
 * The engine store of the whole-matrix tests (matrix.test.ts): their builds of 9/minimal etc. carry
 * the same local tags as build.test.ts's, and the files run at the same time, so each has a store.
 */
export const MATRIX_STORE = join(WORK, 'engine-matrix');
export const FIXTURE_REPO = join(WORK, 'repo');
export const SYSBASE = 'localhost/almac-builder:bookworm';
/** Every release the definitions build, each with its own fixture repository. */
export const RELEASES = ['8', '9', '10', '10-kitten'] as const;

/** The fixture repository of one release and architecture (built by ensureFixtureRepos). */
export function fixtureRepoFor(release: string, arch = 'x86_64'): string {
  return join(WORK, 'repos', `${release}-${arch}`);
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why the real-engine tests cannot run here (undefined: they can). Only a missing podman skips them. */
export function skipReason(): string | undefined {
  if (!onPath('podman')) return 'podman is not installed (scripts/setup-engine.sh installs it; CI does)';
  return undefined;
}

/** The store's environment (what `. <store>/env.sh` exports). */
export function storeEnv(store: string = STORE): Record<string, string> {
  return { ...(process.env as Record<string, string>), ...engineEnvVars(enginePaths(store)) };
}

function run(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const c = execFile(cmd, args, { env: opts.env ?? (process.env as Record<string, string>), cwd: opts.cwd, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      if (err && typeof (err as { code?: unknown }).code !== 'number' && !stderr) rej(err);
      else res({ code, stdout, stderr });
    });
    if (opts.input !== undefined) c.stdin?.end(opts.input);
  });
}

const setupPromises = new Map<string, Promise<void>>();

/**
 * Fixture repository + builder image in the shared store (idempotent, serialised with flock). The
 * engine configuration itself is written by almac (first build), as it is for users.
 */
export function ensureBuildEnv(store: string = STORE): Promise<void> {
  let setupPromise = setupPromises.get(store);
  setupPromise ??= (async () => {
    mkdirSync(WORK, { recursive: true });
    const script = [
      'set -euo pipefail',
      `. "${REPO_ROOT}/scripts/engine-env.sh" "${store}" >/dev/null`,
      `"${REPO_ROOT}/scripts/make-fixture-repo.sh" "${FIXTURE_REPO}"`,
      `"${REPO_ROOT}/scripts/make-builder-image.sh" --tag "${SYSBASE}"`,
    ].join('\n');
    const r = await run('flock', [join(WORK, 'setup.lock'), 'bash', '-c', script]);
    if (r.code !== 0) throw new Error(`build test set-up failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  })();
  setupPromises.set(store, setupPromise);
  return setupPromise;
}

const foreignBuilderPromises = new Map<string, Promise<string>>();

/**
 * The builder image of a foreign Debian architecture (scripts/make-builder-image.sh --arch ARCH, e.g.
 * arm64 → localhost/almac-builder:bookworm-arm64) in the shared store; cached like the native one
 * (an up-to-date image is left alone; the mmdebstrap tarball is kept per architecture) and made
 * under the same lock. mmdebstrap runs the architecture's maintainer scripts under qemu-user-static:
 * the handlers are held under a lease for the set-up (binfmt-lease.ts, scripts/setup-binfmt.sh), so
 * what it enabled is disabled afterwards unless another test still holds them. Resolves to the tag.
 */
export function ensureForeignBuilder(debArch: string, store: string = STORE): Promise<string> {
  const key = `${debArch} ${store}`;
  let p = foreignBuilderPromises.get(key);
  if (!p) {
    p = (async () => {
      mkdirSync(WORK, { recursive: true });
      const tag = `${SYSBASE}-${debArch}`;
      const state = mkdtempSync(join(WORK, 'binfmt-builder-'));
      // a lease (binfmt-lease.ts): handlers this enables are disabled only when no other test holds them
      const { leaseBinfmt } = await import('./binfmt-lease.js');
      const release = await leaseBinfmt(state);
      const script = [
        'set -euo pipefail',
        `. "${REPO_ROOT}/scripts/engine-env.sh" "${store}" >/dev/null`,
        `"${REPO_ROOT}/scripts/make-builder-image.sh" --arch ${debArch} --tag "${tag}"`,
      ].join('\n');
      try {
        const r = await run('flock', [join(WORK, 'setup.lock'), 'bash', '-c', script]);
        if (r.code !== 0) throw new Error(`the ${debArch} builder image failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
      } finally {
        await release().catch(() => undefined);
        rmSync(state, { recursive: true, force: true });
      }
      return tag;
    })();
    foreignBuilderPromises.set(key, p);
  }
  return p;
}

const repoPromises = new Map<string, Promise<void>>();

/**
 * One fixture repository per release (default: all) for `arch` (scripts/make-fixture-repo.sh --release R --arch A),
 * under WORK/repos/; up-to-date repositories are left alone. Serialised with the same lock as
 * ensureBuildEnv.
 */
export function ensureFixtureRepos(arch = 'x86_64', releases: readonly string[] = RELEASES): Promise<void> {
  const key = `${arch} ${releases.join(' ')}`;
  let p = repoPromises.get(key);
  if (!p) {
    p = (async () => {
      mkdirSync(WORK, { recursive: true });
      const script = ['set -euo pipefail', ...releases.map((r) =>
        `"${REPO_ROOT}/scripts/make-fixture-repo.sh" "${fixtureRepoFor(r, arch)}" --release ${r} --arch ${arch}`)].join('\n');
      const r = await run('flock', [join(WORK, 'setup.lock'), 'bash', '-c', script]);
      if (r.code !== 0) throw new Error(`fixture repositories (${arch}) failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    })();
    repoPromises.set(key, p);
  }
  return p;
}

export interface AlmacResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI. */
export function almac(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<AlmacResult> {
  return run(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? (process.env as Record<string, string>) });
}

/** Starts the CLI and returns the child (for interruption tests). */
export function startAlmac(args: string[], opts: { cwd?: string } = {}): ReturnType<typeof spawn> {
  return spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function podman(args: string[], store: string = STORE): Promise<AlmacResult> {
  return run('podman', args, { env: storeEnv(store) });
}

/** Options every test build uses: the fixture repository (or `repo`), the builder, the shared store. */
export function fixtureArgs(buildDir: string, repo: string = FIXTURE_REPO, store: string = STORE): string[] {
  return ['--repo', `fixture=${repo}`, '--sysbase', SYSBASE, '--store', store, '--build-dir', buildDir];
}

export interface BuildJson {
  ok: boolean;
  builds: {
    image: string;
    route: string;
    platform: string;
    status: string;
    imageId: string | null;
    localTag: string;
    tags: string[];
    packages: number | null;
    manifest: string;
    log: string;
    error?: string;
    assertions: { name: string; kind: string; ok: boolean; detail?: string; origin: string }[];
  }[];
  packageCache?: { upstreamRpmFetches: number };
}

export function parseBuildJson(r: AlmacResult): BuildJson {
  try {
    return JSON.parse(r.stdout) as BuildJson;
  } catch {
    throw new Error(`almac build --json printed no JSON (exit ${r.code}):\n${r.stdout}\n--- stderr:\n${r.stderr}`);
  }
}

const tempDirs: string[] = [];
// every test file removes the directories it made (ALMAC_E2E_KEEP=1 keeps them, to look into a failure)
afterAll(() => {
  if (process.env['ALMAC_E2E_KEEP'] === '1') return;
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
});

/** A directory under WORK (build dirs, projects), removed when the test file ends. */
export function tempDir(prefix: string): string {
  mkdirSync(WORK, { recursive: true });
  const d = mkdtempSync(join(WORK, prefix));
  tempDirs.push(d);
  return d;
}

// --- expected package sets -------------------------------------------------------------------------

interface PackageRequest {
  install: string[];
  exclude: string[];
  remove: string[];
  weakDeps: boolean;
  docs: boolean;
  releasever: string;
}

/**
 * What a definition's package request resolves to against the fixture repository: a real install
 * with the host's dnf into an empty root, minus the definition's removals. Sorted NEVRA lines.
 */
export async function resolvePackageSet(p: PackageRequest): Promise<string[]> {
  const dir = tempDir('expected-');
  try {
    const root = join(dir, 'root');
    const home = join(dir, 'home');
    const reposd = join(dir, 'repos.d');
    for (const d of [root, home, reposd]) mkdirSync(d, { recursive: true });
    writeFileSync(join(home, '.rpmmacros'), '%_dbpath /var/lib/rpm\n');
    const env = { ...(process.env as Record<string, string>), HOME: home };
    const common = ['-y', '-q', '--installroot', root, '--releasever', p.releasever, `--setopt=reposdir=${reposd}`,
      `--repofrompath=fixture,file://${FIXTURE_REPO}`, '--repo', 'fixture', '--setopt=fixture.gpgcheck=0'];
    const install = ['dnf', ...common, `--setopt=install_weak_deps=${p.weakDeps ? 'True' : 'False'}`, ...(p.docs ? [] : ['--nodocs']),
      ...p.exclude.flatMap((x) => ['-x', x]), 'install', ...p.install];
    let r = await run(install[0]!, install.slice(1), { env });
    if (r.code !== 0) throw new Error(`dnf install failed:\n${r.stderr}`);
    if (p.remove.length) {
      r = await run('dnf', [...common, 'remove', ...p.remove], { env });
      if (r.code !== 0) throw new Error(`dnf remove failed:\n${r.stderr}`);
    }
    r = await run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-qa', '--qf', '%{NEVRA}\\n'], { env });
    if (r.code !== 0) throw new Error(`rpm -qa failed:\n${r.stderr}`);
    return r.stdout.split('\n').filter(Boolean).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- image contents ----------------------------------------------------------------------------------

export interface FileEntry {
  path: string;
  /** type, mode, owner, and the link target or the size */
  meta: string;
}

function walkRoot(root: string): FileEntry[] {
  const out: FileEntry[] = [];
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    const st = lstatSync(abs);
    const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
    const owner = `${st.uid}:${st.gid}`;
    if (st.isSymbolicLink()) out.push({ path: rel || '/', meta: `l ${mode} ${owner} -> ${readlinkSync(abs)}` });
    else if (st.isDirectory()) {
      out.push({ path: rel || '/', meta: `d ${mode} ${owner}` });
      for (const e of readdirSync(abs).sort()) walk(`${rel}/${e}`);
    } else if (st.isFile()) out.push({ path: rel, meta: `f ${mode} ${owner} ${st.size}` });
    else out.push({ path: rel, meta: `${st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : st.isFIFO() ? 'p' : 's'} ${mode} ${owner}` });
  };
  walk('');
  return out;
}

/** Every path of an image with its type, mode, owner and size / link target. */
export async function imageFiles(ref: string): Promise<FileEntry[]> {
  const m = await podman(['image', 'mount', ref]);
  if (m.code !== 0) throw new Error(`podman image mount ${ref}: ${m.stderr}`);
  try {
    return walkRoot(m.stdout.trim());
  } finally {
    await podman(['image', 'unmount', ref]);
  }
}

// --- leftovers ---------------------------------------------------------------------------------------

export interface Leftovers {
  processes: string[];
  workingContainers: string[];
  containers: string[];
  mounts: string[];
  runc: string[];
  danglingImages: string[];
}

/** What a run may leave behind: processes, containers, mounts, runc state, dangling images. */
export async function leftovers(buildDir: string): Promise<Leftovers> {
  const lines = (s: string): string[] => s.split('\n').map((x) => x.trim()).filter(Boolean);
  const storage = join(STORE, 'storage') + '/';
  const processes = runningProcesses()
    // zombies are gone already, only not yet reaped
    .filter((p) => p.state !== 'Z' && (p.cmdline.includes(buildDir) || p.root.startsWith(storage)))
    .map((p) => `${p.pid} ${p.cmdline}`);
  const buildah = spawnSync('buildah', ['containers', '-q'], { env: storeEnv(), encoding: 'utf8' });
  const ps = await podman(['ps', '-aq']);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((mp) => (mp.startsWith(STORE + '/') && mp.endsWith('/merged')) || mp.startsWith(buildDir + '/'));
  const runc = spawnSync('runc', ['list', '-q'], { encoding: 'utf8' });
  const runcIds = lines(runc.stdout ?? '').filter((id) => {
    const st = spawnSync('runc', ['state', id], { encoding: 'utf8' });
    return (st.stdout ?? '').includes(STORE + '/'); // not engine-matrix/, engine-library/ …
  });
  const dangling = await podman(['images', '-q', '--filter', 'dangling=true']);
  return {
    processes,
    workingContainers: lines(buildah.stdout ?? ''),
    containers: lines(ps.stdout),
    mounts,
    runc: runcIds,
    danglingImages: lines(dangling.stdout),
  };
}

/** A copy of the project (definitions, generated files, package.json) to change in a test. */
export function copyProject(): string {
  const dir = tempDir('project-');
  for (const d of ['definitions', 'generated']) {
    spawnSync('cp', ['-a', join(REPO_ROOT, d), join(dir, d)]);
  }
  if (!existsSync(join(dir, 'definitions'))) throw new Error('copying the project failed');
  return dir;
}
