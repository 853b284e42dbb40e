// The container engine as used by `almac build` and the e2e tests: build, run, import, inspect, remove,
// plus listLeaks() to prove a run left nothing behind. PodmanEngine is the reference implementation;
// buildah.ts and docker.ts adapt the same interface.
import { mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EngineEnvironment } from './environment.js';
import { mergeEnv } from './environment.js';
import type { EngineName } from './detect.js';
import {
  cleanupAfterBuild,
  cleanupAfterBuildSync,
  execCommand,
  formatArgv,
  onInterrupt,
  parseRuncList,
  type CleanupReport,
  type ExecOptions,
  type ExecResult,
} from './exec.js';
import { findOnPath } from './detect.js';

export interface BuildOptions {
  containerfile: string;
  contextDir: string;
  tag: string;
  buildArgs?: Record<string, string>;
  /** e.g. linux/amd64; also passed as the TARGETPLATFORM build arg unless buildArgs sets it. */
  platform?: string;
  /** 'oci' (default; runc) or 'chroot' (no runtime needed, but shares the host network). */
  isolation?: 'oci' | 'chroot';
  /** Default 'none' for OCI isolation (podman build ignores containers.conf's netns); chroot: host only. */
  network?: string;
  /** Default false: with layers every multi-stage build leaves a <none> stage image (~250 MB) behind. */
  layers?: boolean;
  /** Default 'never': a missing SYSBASE fails with "image not known" instead of a registry lookup. */
  pull?: 'never' | 'missing' | 'always';
  target?: string;
  labels?: Record<string, string>;
  timeoutMs?: number;
  logFile?: string;
  signal?: AbortSignal;
  onOutput?: ExecOptions['onOutput'];
}

export interface BuildResult extends ExecResult {
  ok: boolean;
  /** Image id (from --iidfile) when the build succeeded. */
  imageId?: string;
  /** What was cleaned up after a failed/killed build. */
  cleanup?: CleanupReport;
}

export interface RunOptions {
  /** Default true. */
  rm?: boolean;
  /** Default 'none'. */
  network?: string;
  entrypoint?: string;
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  volumes?: string[];
  timeoutMs?: number;
  input?: string;
  logFile?: string;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Dockerfile-instruction changes applied on import (podman/docker `import --change`). */
export interface ImageChanges {
  /** Exec form when an array, shell form when a string. */
  cmd?: string[] | string;
  entrypoint?: string[] | string;
  env?: Record<string, string>;
  labels?: Record<string, string>;
  stopSignal?: string;
  workdir?: string;
  user?: string;
}

export interface ImageInfo {
  id: string;
  size: number;
  created?: string;
  architecture?: string;
  os?: string;
  cmd?: string[];
  entrypoint?: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  stopSignal?: string;
  workingDir?: string;
  user?: string;
  layers: number;
  repoTags: string[];
}

export interface Leaks {
  /** Engine-managed containers (podman ps -a). */
  containers: string[];
  /** Build working containers (buildah containers). */
  workingContainers: string[];
  /** Mount points under the store (overlay merged dirs etc.). */
  mounts: string[];
  /** Processes whose root is inside the store, or whose command line names the state dir. */
  processes: { pid: number; cmd: string }[];
  /** runc containers whose bundle is under the state dir. */
  runc: string[];
  /** Leftover buildah bundle dirs in the run's TMPDIR. */
  bundleDirs: string[];
}

export interface InstalledPackage {
  name: string;
  /** epoch:version-release.arch (epoch 0 included). */
  evra: string;
}

/** rpm --qf format for parseRpmQuery (backslash-t/backslash-n are expanded by rpm itself). */
export const RPM_QUERY_FORMAT = '%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\\n';

export function parseRpmQuery(text: string): InstalledPackage[] {
  return text
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((f): f is [string, string] => f.length === 2 && f[0] !== '')
    .map(([name, evra]) => ({ name, evra }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function isLeakFree(l: Leaks): boolean {
  return Object.values(l).every((v) => (v as unknown[]).length === 0);
}

export interface Engine {
  readonly name: EngineName;
  build(opts: BuildOptions): Promise<BuildResult>;
  run(image: string, argv?: string[], opts?: RunOptions): Promise<RunResult>;
  importTar(tarPath: string, tag: string, changes?: ImageChanges): Promise<string>;
  inspect(ref: string): Promise<ImageInfo>;
  imageExists(ref: string): Promise<boolean>;
  removeImage(ref: string, opts?: { force?: boolean; ignoreMissing?: boolean }): Promise<void>;
  listLeaks(): Promise<Leaks>;
  /**
   * The packages in an image's rpmdb (/var/lib/rpm), read with the HOST's rpm: inside fixture images
   * /usr/bin/rpm is a stub (busybox cannot read the sqlite rpmdb). Empty when the image has no rpmdb.
   */
  installedPackages(ref: string): Promise<InstalledPackage[]>;
}

export interface EngineConstructorOptions {
  /** Per-run environment (environment.ts). Without it the engine's default store is used. */
  environment?: EngineEnvironment | undefined;
  /** Executable to run; default the engine's name. */
  binary?: string;
  /** Wrap builds in a PID namespace (exec.ts). Default 'auto' (when root). */
  killSafe?: boolean | 'auto';
  /** Base environment; default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
}

// --- pure argv builders ---------------------------------------------------------------------------

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkKey(kind: string, k: string, re: RegExp = ENV_KEY): void {
  if (!re.test(k)) throw new Error(`invalid ${kind} name: ${JSON.stringify(k)}`);
}

/** `podman build` / `buildah build` arguments (without the program name). */
export function buildArgv(opts: BuildOptions, flavor: 'podman' | 'buildah' | 'docker' = 'podman', iidFile?: string): string[] {
  const a: string[] = ['build'];
  const isolation = opts.isolation ?? 'oci';
  if (flavor !== 'docker') {
    a.push(`--pull=${opts.pull ?? 'never'}`);
    a.push(`--layers=${opts.layers ?? false}`);
    if (opts.isolation) a.push('--isolation', isolation);
  } else if ((opts.pull ?? 'never') === 'always') {
    a.push('--pull');
  }
  // chroot isolation only accepts the host network ("cannot set --network other than host")
  const network = opts.network ?? (isolation === 'chroot' ? undefined : 'none');
  if (network) a.push('--network', network);
  if (opts.platform) a.push('--platform', opts.platform);
  const args: Record<string, string> = { ...(opts.buildArgs ?? {}) };
  if (opts.platform && args['TARGETPLATFORM'] === undefined) args['TARGETPLATFORM'] = opts.platform;
  for (const [k, v] of Object.entries(args)) {
    checkKey('build arg', k);
    a.push('--build-arg', `${k}=${v}`);
  }
  for (const [k, v] of Object.entries(opts.labels ?? {})) {
    checkKey('label', k, /^[A-Za-z0-9._/-]+$/);
    a.push('--label', `${k}=${v}`);
  }
  if (opts.target) a.push('--target', opts.target);
  if (iidFile) a.push('--iidfile', iidFile);
  a.push('-f', opts.containerfile, '-t', opts.tag, opts.contextDir);
  return a;
}

function instrJson(v: string[] | string): string {
  return Array.isArray(v) ? JSON.stringify(v) : v;
}

/** Quote a value for an ENV/LABEL instruction. */
function instrValue(v: string): string {
  return JSON.stringify(v);
}

/** `--change` values for podman/docker import (one instruction each). */
export function importChanges(c: ImageChanges = {}): string[] {
  const out: string[] = [];
  if (c.cmd !== undefined) out.push(`CMD ${instrJson(c.cmd)}`);
  if (c.entrypoint !== undefined) out.push(`ENTRYPOINT ${instrJson(c.entrypoint)}`);
  for (const [k, v] of Object.entries(c.env ?? {})) {
    checkKey('ENV', k);
    out.push(`ENV ${k}=${instrValue(v)}`);
  }
  for (const [k, v] of Object.entries(c.labels ?? {})) {
    checkKey('LABEL', k, /^[A-Za-z0-9._/-]+$/);
    out.push(`LABEL ${k}=${instrValue(v)}`);
  }
  if (c.stopSignal !== undefined) {
    if (!/^(SIG[A-Z0-9+]+|\d+)$/.test(c.stopSignal)) throw new Error(`invalid stop signal: ${c.stopSignal}`);
    out.push(`STOPSIGNAL ${c.stopSignal}`);
  }
  if (c.workdir !== undefined) out.push(`WORKDIR ${c.workdir}`);
  if (c.user !== undefined) out.push(`USER ${c.user}`);
  for (const ch of out) if (/[\n\r]/.test(ch)) throw new Error(`image change must be one line: ${ch}`);
  return out;
}

export function importArgv(tarPath: string, tag: string, changes: ImageChanges = {}): string[] {
  const a = ['import'];
  for (const ch of importChanges(changes)) a.push('--change', ch);
  a.push(tarPath, tag);
  return a;
}

export function runArgv(image: string, argv: string[] = [], o: RunOptions = {}): string[] {
  const a = ['run'];
  if (o.rm ?? true) a.push('--rm');
  a.push('--network', o.network ?? 'none');
  if (o.input !== undefined) a.push('-i');
  if (o.entrypoint !== undefined) a.push('--entrypoint', o.entrypoint);
  for (const [k, v] of Object.entries(o.env ?? {})) {
    checkKey('env', k);
    a.push('--env', `${k}=${v}`);
  }
  if (o.user) a.push('--user', o.user);
  if (o.workdir) a.push('--workdir', o.workdir);
  for (const v of o.volumes ?? []) a.push('--volume', v);
  a.push(image, ...argv);
  return a;
}

function envListToRecord(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(list)) return out;
  for (const e of list) {
    if (typeof e !== 'string') continue;
    const i = e.indexOf('=');
    if (i > 0) out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

function strArray(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

function strRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function optStr(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `podman image inspect` / `docker image inspect` JSON (an array; the first element is used). */
export function parseImageInspect(json: string): ImageInfo {
  const v: unknown = JSON.parse(json);
  const o = (Array.isArray(v) ? v[0] : v) as Record<string, unknown> | undefined;
  if (!o || typeof o !== 'object') throw new Error('image inspect: no image in output');
  const cfg = (o['Config'] ?? {}) as Record<string, unknown>;
  const rootfs = (o['RootFS'] ?? {}) as Record<string, unknown>;
  const info: ImageInfo = {
    id: String(o['Id'] ?? ''),
    size: typeof o['Size'] === 'number' ? o['Size'] : 0,
    env: envListToRecord(cfg['Env']),
    labels: strRecord(cfg['Labels']),
    layers: Array.isArray(rootfs['Layers']) ? rootfs['Layers'].length : 0,
    repoTags: strArray(o['RepoTags']) ?? [],
  };
  const set = <K extends keyof ImageInfo>(k: K, val: ImageInfo[K] | undefined): void => {
    if (val !== undefined) info[k] = val;
  };
  set('created', optStr(o['Created']));
  set('architecture', optStr(o['Architecture']));
  set('os', optStr(o['Os']));
  set('cmd', strArray(cfg['Cmd']));
  set('entrypoint', strArray(cfg['Entrypoint']));
  set('stopSignal', optStr(cfg['StopSignal']));
  set('workingDir', optStr(cfg['WorkingDir']));
  set('user', optStr(cfg['User']));
  return info;
}

// --- leak detection (pure parts) -----------------------------------------------------------------

/** Mount points (5th field of /proc/PID/mountinfo, octal escapes decoded) under any of `dirs`. */
export function mountsUnder(mountinfo: string, dirs: string[]): string[] {
  const prefixes = dirs.map((d) => resolve(d) + '/');
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    if (f.length < 5) continue;
    const mp = f[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (prefixes.some((p) => mp.startsWith(p) || mp + '/' === p)) out.push(mp);
  }
  return out;
}

// --- the podman engine ----------------------------------------------------------------------------

export class PodmanEngine implements Engine {
  readonly name: EngineName;
  protected readonly bin: string;
  protected readonly environment: EngineEnvironment | undefined;
  protected readonly env: Record<string, string>;
  protected readonly killSafe: boolean | 'auto';

  /** `flavor` is for the subclasses (buildah.ts, docker.ts). */
  constructor(o: EngineConstructorOptions = {}, flavor: EngineName = 'podman') {
    this.name = flavor;
    this.bin = o.binary ?? flavor;
    this.environment = o.environment;
    this.env = mergeEnv(o.baseEnv ?? process.env, o.environment?.env ?? {});
    this.killSafe = o.killSafe ?? 'auto';
  }

  protected exec(args: string[], o: ExecOptions = {}): Promise<ExecResult> {
    return execCommand([this.bin, ...args], { env: this.env, ...o });
  }

  protected async checked(args: string[], o: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.exec(args, o);
    if (r.code !== 0) {
      throw new Error(`${formatArgv([this.bin, ...args])} failed (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${r.stderr.trim().split('\n').slice(-10).join('\n')}`);
    }
    return r;
  }

  protected tmpBase(): string {
    return this.environment?.tmpDir ?? this.env['TMPDIR'] ?? '/tmp';
  }

  async build(opts: BuildOptions): Promise<BuildResult> {
    const work = await mkdtemp(join(this.tmpBase(), 'almac-build-'));
    const iid = join(work, 'iid');
    const env = this.environment;
    const unregister = env ? onInterrupt(() => void cleanupAfterBuildSync({ env: this.env, tmpDir: env.tmpDir })) : () => {};
    try {
      const r = await this.exec(buildArgv(opts, this.name, iid), {
        killSafe: this.killSafe,
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.logFile !== undefined ? { logFile: opts.logFile } : {}),
        ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
        ...(opts.onOutput !== undefined ? { onOutput: opts.onOutput } : {}),
      });
      const result: BuildResult = { ...r, ok: r.code === 0 };
      if (r.code === 0) {
        try {
          result.imageId = (await readFile(iid, 'utf8')).trim().replace(/^sha256:/, '');
        } catch {
          // engines that do not write it: fall back to inspect
          result.imageId = (await this.inspect(opts.tag)).id;
        }
      } else if (env) {
        result.cleanup = await cleanupAfterBuild({ env: this.env, tmpDir: env.tmpDir });
      }
      return result;
    } finally {
      unregister();
      await rm(work, { recursive: true, force: true });
    }
  }

  async run(image: string, argv: string[] = [], o: RunOptions = {}): Promise<RunResult> {
    const r = await this.exec(runArgv(image, argv, o), {
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.input !== undefined ? { input: o.input } : {}),
      ...(o.logFile !== undefined ? { logFile: o.logFile } : {}),
    });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut };
  }

  async importTar(tarPath: string, tag: string, changes: ImageChanges = {}): Promise<string> {
    const r = await this.checked(['import', '-q', ...importArgv(tarPath, tag, changes).slice(1)]);
    return r.stdout.trim().replace(/^sha256:/, '');
  }

  async inspect(ref: string): Promise<ImageInfo> {
    const r = await this.checked(['image', 'inspect', ref]);
    return parseImageInspect(r.stdout);
  }

  async imageExists(ref: string): Promise<boolean> {
    const r = await this.exec(['image', 'exists', ref]);
    if (r.code === 0) return true;
    if (r.code === 1) return false;
    throw new Error(`podman image exists ${ref}: exit ${r.code}: ${r.stderr.trim()}`);
  }

  async removeImage(ref: string, o: { force?: boolean; ignoreMissing?: boolean } = {}): Promise<void> {
    if (o.ignoreMissing && !(await this.imageExists(ref))) return;
    await this.checked(['rmi', ...(o.force ? ['-f'] : []), ref]);
  }

  /** Mounts the image (root only), queries its rpmdb with the host's rpm, unmounts. */
  async installedPackages(ref: string): Promise<InstalledPackage[]> {
    const mnt = (await this.checked(['image', 'mount', ref])).stdout.trim();
    try {
      return await queryRpmdb(mnt, this.env);
    } finally {
      await this.exec(['image', 'unmount', ref]);
    }
  }

  /** `podman system reset -f`: with a per-run environment this removes only that store. */
  async resetStore(): Promise<void> {
    if (!this.environment) throw new Error('resetStore() needs a per-run environment (it would wipe the default store)');
    await this.checked(['system', 'reset', '-f']);
  }

  async listLeaks(): Promise<Leaks> {
    const lines = (s: string): string[] => s.split('\n').map((x) => x.trim()).filter(Boolean);
    const leaks: Leaks = { containers: [], workingContainers: [], mounts: [], processes: [], runc: [], bundleDirs: [] };
    const ps = await this.exec(['ps', '-aq']);
    if (ps.code === 0) leaks.containers = lines(ps.stdout);
    if (findOnPath('buildah', this.env['PATH'])) {
      const b = await execCommand(['buildah', 'containers', '-q'], { env: this.env });
      if (b.code === 0) leaks.workingContainers = lines(b.stdout);
    } else {
      const b = await this.exec(['ps', '-a', '--external', '--format', '{{.ID}}']);
      if (b.code === 0) leaks.workingContainers = lines(b.stdout).filter((id) => !leaks.containers.some((c) => id.startsWith(c) || c.startsWith(id)));
    }
    const env = this.environment;
    if (!env) return leaks; // the rest needs to know where this run's state lives
    try {
      leaks.mounts = mountsUnder(await readFile('/proc/self/mountinfo', 'utf8'), [env.stateDir]);
    } catch {
      // not Linux
    }
    leaks.processes = await processesUsing(env.stateDir, env.graphRoot);
    if (findOnPath('runc', this.env['PATH'])) {
      const r = await execCommand(['runc', 'list', '--format', 'json'], { env: this.env });
      if (r.code === 0) {
        const prefix = env.stateDir + '/';
        leaks.runc = parseRuncList(r.stdout).filter((c) => c.bundle.startsWith(prefix)).map((c) => c.id);
      }
    }
    try {
      leaks.bundleDirs = (await readdir(env.tmpDir)).filter((n) => /^buildah\d+$/.test(n)).map((n) => join(env.tmpDir, n));
    } catch {
      // no tmp dir yet
    }
    return leaks;
  }
}

/** `rpm --root ROOT --dbpath /var/lib/rpm -qa` with the host's rpm ([] when ROOT has no rpmdb). */
export async function queryRpmdb(root: string, env: Record<string, string>): Promise<InstalledPackage[]> {
  try {
    await readFile(join(root, 'var/lib/rpm/rpmdb.sqlite'));
  } catch {
    return [];
  }
  // --dbpath is taken inside --root; it also sidesteps Debian's ~/.rpmdb default
  const r = await execCommand(['rpm', '--root', root, '--dbpath', '/var/lib/rpm', '-qa', '--qf', RPM_QUERY_FORMAT], { env });
  if (r.code !== 0) throw new Error(`rpm --root ${root} -qa: exit ${r.code}: ${r.stderr.trim()}`);
  return parseRpmQuery(r.stdout);
}

/** Processes (other than this one) rooted inside `graphRoot` or naming `stateDir` on their command line. */
export async function processesUsing(stateDir: string, graphRoot: string): Promise<{ pid: number; cmd: string }[]> {
  const out: { pid: number; cmd: string }[] = [];
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
  } catch {
    return out;
  }
  const g = resolve(graphRoot) + '/';
  for (const p of pids) {
    const pid = Number(p);
    if (pid === process.pid) continue;
    try {
      const cmd = (await readFile(`/proc/${p}/cmdline`, 'utf8')).split('\0').join(' ').trim();
      let root = '';
      try {
        root = await readlink(`/proc/${p}/root`);
      } catch {
        // other user's process
      }
      if (root.startsWith(g) || (cmd.includes(stateDir) && !cmd.startsWith('runc list'))) out.push({ pid, cmd });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
