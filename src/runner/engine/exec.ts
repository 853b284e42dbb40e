// Running engine commands: a log file, a timeout, and kill-safety.
//
// Killing `podman build` (SIGKILL, SIGTERM or SIGINT alike) does NOT stop its RUN-step processes: they
// are re-parented to PID 1 and keep running, and the working container, its overlay mounts, runc state
// and the /var/tmp/buildahNNN bundle dir stay behind. So builds run as
//     unshare --pid --fork --mount-proc --kill-child=SIGKILL podman build ...
// podman is then PID 1 of a new PID namespace; when it dies (or unshare, which kills it), the kernel
// kills every process in that namespace, RUN steps included. `setpriv --pdeathsig SIGKILL` in front
// makes unshare die with the Node process, even when that one is SIGKILLed (no cleanup runs then). --mount-proc is required: without it runc
// fails with "readlink /proc/NN/fd/0: no such file or directory". After a failed/killed build,
// cleanupAfterBuild() removes the working containers, runc state and bundle dirs of the run.
//
// Children are spawned in their own process group (so a terminal's Ctrl-C does not reach them behind
// our back) and tracked: on SIGINT/SIGTERM/SIGHUP the parent SIGKILLs every tracked group, runs the
// registered cleanups, then re-raises the signal on itself with the default action.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, readdirSync, rmSync, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { findOnPath } from './detect.js';

export interface ExecOptions {
  cwd?: string;
  /** The complete environment of the child (see environment.ts mergeEnv). Default: process.env. */
  env?: Record<string, string>;
  /** Kill the whole process group (SIGKILL) after this many milliseconds. */
  timeoutMs?: number;
  /** Append a header line, stdout and stderr (as they come) and a footer line to this file. */
  logFile?: string;
  /** Run inside a new PID namespace (see above). 'auto': when root and `unshare` exists. Default false. */
  killSafe?: boolean | 'auto';
  /** Written to stdin, which is then closed. Default: stdin is /dev/null. */
  input?: string;
  /** Bytes of each stream kept in memory (the tail). Default 8 MiB. */
  maxCaptureBytes?: number;
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Aborting kills the process group. */
  signal?: AbortSignal;
}

export interface ExecResult {
  /** What was actually spawned (with the unshare prefix when kill-safe). */
  argv: string[];
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
}

export class ExecError extends Error {
  readonly result: ExecResult;
  constructor(message: string, result: ExecResult) {
    super(message);
    this.name = 'ExecError';
    this.result = result;
  }
}

export const KILL_SAFE_PREFIX: readonly string[] = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL'];
/**
 * Also die when the parent (this Node process) dies, even by SIGKILL: the kernel then SIGKILLs unshare,
 * which takes its PID namespace down with it (util-linux setpriv, PR_SET_PDEATHSIG).
 */
export const PDEATHSIG_PREFIX: readonly string[] = ['setpriv', '--pdeathsig', 'SIGKILL'];

/** argv wrapped so that killing it kills everything it started (needs CAP_SYS_ADMIN, i.e. root). */
export function killSafeArgv(argv: readonly string[], opts: { pdeathsig?: boolean } = {}): string[] {
  if (argv.length === 0) throw new Error('empty argv');
  return [...(opts.pdeathsig ? PDEATHSIG_PREFIX : []), ...KILL_SAFE_PREFIX, '--', ...argv];
}

export function canBeKillSafe(pathEnv: string | undefined = process.env['PATH']): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0 && findOnPath('unshare', pathEnv) !== undefined;
}

/** Shell-like rendering of an argv, for logs and error messages. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Keeps the last `max` bytes of a stream. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    while (this.size > this.max && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
      this.truncated = true;
    }
  }
  text(): string {
    let buf = Buffer.concat(this.chunks);
    if (buf.length > this.max) {
      buf = buf.subarray(buf.length - this.max);
      this.truncated = true;
    }
    return buf.toString('utf8');
  }
}

// --- tracked children and signal forwarding --------------------------------------------------------

const active = new Set<number>(); // process-group ids (= pids of the group leaders)
const cleanups = new Set<() => void>();
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let handlersInstalled = false;
let interrupting = false;

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * SIGKILLs every tracked child's process group, then runs the registered cleanups. This is what the
 * parent does on SIGINT/SIGTERM/SIGHUP before re-raising the signal (exported for tests and for callers
 * that handle signals themselves). Everything here is synchronous on purpose: another SIGTERM listener
 * (a test runner's, a CLI framework's) may call process.exit() right after ours returns, which would cut
 * an asynchronous cleanup short.
 */
export function interruptChildren(): void {
  for (const pgid of active) killGroup(pgid);
  for (const fn of [...cleanups]) {
    try {
      fn();
    } catch {
      // best effort: we are going down anyway
    }
  }
}

function onParentSignal(sig: NodeJS.Signals): void {
  if (interrupting) return;
  interrupting = true;
  interruptChildren();
  uninstallHandlers();
  process.kill(process.pid, sig); // default action now: terminate with the same signal
}

const handler = (sig: NodeJS.Signals): void => {
  onParentSignal(sig);
};

function installHandlers(): void {
  if (handlersInstalled) return;
  for (const s of FORWARDED) process.on(s, handler);
  handlersInstalled = true;
}

function uninstallHandlers(): void {
  if (!handlersInstalled) return;
  for (const s of FORWARDED) process.off(s, handler);
  handlersInstalled = false;
}

/**
 * Registers a (synchronous) cleanup to run when the parent receives SIGINT/SIGTERM/SIGHUP while
 * children run, after they were killed. Returns the unregister function.
 */
export function onInterrupt(fn: () => void): () => void {
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

/** Number of tracked children still running (for tests). */
export function activeChildren(): number {
  return active.size;
}

// --- exec ---------------------------------------------------------------------------------------------

/** Runs argv; never rejects for a non-zero exit (see `code`), only for a failure to spawn. */
export async function execCommand(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  if (argv.length === 0) throw new Error('empty argv');
  const killSafe = opts.killSafe === 'auto' ? canBeKillSafe(opts.env?.['PATH']) : Boolean(opts.killSafe);
  const full = killSafe ? killSafeArgv(argv, { pdeathsig: findOnPath('setpriv', opts.env?.['PATH']) !== undefined }) : [...argv];
  const max = opts.maxCaptureBytes ?? 8 * 1024 * 1024;
  const out = new Tail(max);
  const err = new Tail(max);
  let log: WriteStream | undefined;
  if (opts.logFile) {
    await mkdir(dirname(resolve(opts.logFile)), { recursive: true });
    log = createWriteStream(opts.logFile, { flags: 'a' });
    log.write(`$ ${formatArgv(full)}\n`);
  }
  const started = Date.now();
  const child = spawn(full[0]!, full.slice(1), {
    cwd: opts.cwd,
    env: opts.env ?? (process.env as Record<string, string>),
    detached: true, // own process group: killable as a whole, and out of the terminal's Ctrl-C
    stdio: [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let timedOut = false;
  let aborted = false;
  const spawned = new Promise<void>((res, rej) => {
    child.once('spawn', () => res());
    child.once('error', (e) => rej(e));
  });
  try {
    await spawned;
  } catch (e) {
    log?.end(`! failed to start: ${(e as Error).message}\n`);
    throw e;
  }
  const pgid = child.pid!;
  active.add(pgid);
  installHandlers();
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  child.stdout!.on('data', (b: Buffer) => {
    out.push(b);
    log?.write(b);
    opts.onOutput?.(b.toString('utf8'), 'stdout');
  });
  child.stderr!.on('data', (b: Buffer) => {
    err.push(b);
    log?.write(b);
    opts.onOutput?.(b.toString('utf8'), 'stderr');
  });
  const timer = opts.timeoutMs !== undefined
    ? setTimeout(() => {
        timedOut = true;
        killGroup(pgid);
      }, opts.timeoutMs)
    : undefined;
  const onAbort = (): void => {
    aborted = true;
    killGroup(pgid);
  };
  if (opts.signal) {
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  }
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => {
    child.once('close', (c, s) => res([c, s]));
  });
  if (timer) clearTimeout(timer);
  opts.signal?.removeEventListener('abort', onAbort);
  // The group leader is gone; anything left in its group (not kill-safe case) goes too.
  killGroup(pgid);
  active.delete(pgid);
  if (active.size === 0 && !interrupting) uninstallHandlers();
  const durationMs = Date.now() - started;
  if (log) {
    const how = timedOut ? `timed out after ${opts.timeoutMs} ms` : aborted ? 'aborted' : signal ? `killed by ${signal}` : `exit ${code}`;
    await new Promise<void>((res) => log!.end(`\n# ${how} (${durationMs} ms)\n`, () => res()));
  }
  return { argv: full, code, signal, stdout: out.text(), stderr: err.text(), timedOut, aborted, durationMs };
}

/** execCommand that rejects with ExecError unless the exit code is 0. */
export async function execChecked(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await execCommand(argv, opts);
  if (r.code !== 0) {
    const why = r.timedOut ? `timed out after ${opts.timeoutMs} ms` : r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
    const tail = r.stderr.trim().split('\n').slice(-15).join('\n');
    throw new ExecError(`${formatArgv(argv)}: ${why}${tail ? `\n${tail}` : ''}`, r);
  }
  return r;
}

// --- cleanup after a failed or killed build -----------------------------------------------------------

export interface RuncContainer {
  id: string;
  pid: number;
  status: string;
  bundle: string;
}

/** `runc list --format json` output (it prints `null` when there are none). */
export function parseRuncList(json: string): RuncContainer[] {
  const t = json.trim();
  if (!t || t === 'null') return [];
  const v: unknown = JSON.parse(t);
  if (!Array.isArray(v)) return [];
  return v.flatMap((e: unknown) => {
    if (typeof e !== 'object' || e === null) return [];
    const o = e as Record<string, unknown>;
    if (typeof o['id'] !== 'string') return [];
    return [{
      id: o['id'],
      pid: typeof o['pid'] === 'number' ? o['pid'] : 0,
      status: typeof o['status'] === 'string' ? o['status'] : '',
      bundle: typeof o['bundle'] === 'string' ? o['bundle'] : '',
    }];
  });
}

/** The runc containers whose bundle lies under `dir` (i.e. were started by this run's builds). */
export function runcContainersUnder(list: RuncContainer[], dir: string): RuncContainer[] {
  const prefix = resolve(dir) + '/';
  return list.filter((c) => c.bundle.startsWith(prefix));
}

export interface CleanupReport {
  workingContainersRemoved: boolean;
  runcDeleted: string[];
  bundleDirsRemoved: string[];
  errors: string[];
}

/**
 * Removes what a failed/killed build leaves behind in a per-run store: all buildah working containers
 * (`buildah rm --all`; without buildah, podman's "external" containers), runc state whose bundle is
 * under `tmpDir`, and `tmpDir/buildah*` bundle dirs. Only use with a per-run store: it removes every
 * working container of that store. Synchronous (see interruptChildren); takes well under a second.
 */
export function cleanupAfterBuildSync(opts: { env: Record<string, string>; tmpDir: string }): CleanupReport {
  const report: CleanupReport = { workingContainersRemoved: false, runcDeleted: [], bundleDirsRemoved: [], errors: [] };
  const pathEnv = opts.env['PATH'];
  const run = (argv: string[]): { code: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(argv[0]!, argv.slice(1), { env: opts.env, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
  };
  if (findOnPath('buildah', pathEnv)) {
    const r = run(['buildah', 'rm', '--all']);
    report.workingContainersRemoved = r.code === 0;
    if (r.code !== 0) report.errors.push(`buildah rm --all: ${r.stderr.trim()}`);
  } else if (findOnPath('podman', pathEnv)) {
    // podman sees buildah's working containers as "external" ones
    const ls = run(['podman', 'ps', '-a', '--external', '--format', '{{.ID}}']);
    const ids = ls.stdout.split('\n').map((x) => x.trim()).filter(Boolean);
    const r = ids.length ? run(['podman', 'rm', '-f', ...ids]) : ls;
    report.workingContainersRemoved = r.code === 0;
    if (r.code !== 0) report.errors.push(`podman rm: ${r.stderr.trim()}`);
  }
  if (findOnPath('runc', pathEnv)) {
    const r = run(['runc', 'list', '--format', 'json']);
    if (r.code === 0) {
      for (const c of runcContainersUnder(parseRuncList(r.stdout), opts.tmpDir)) {
        const d = run(['runc', 'delete', '--force', c.id]);
        if (d.code === 0) report.runcDeleted.push(c.id);
        else report.errors.push(`runc delete ${c.id}: ${d.stderr.trim()}`);
      }
    }
  }
  try {
    for (const name of readdirSync(opts.tmpDir)) {
      if (!/^buildah\d+$/.test(name)) continue;
      const p = join(opts.tmpDir, name);
      rmSync(p, { recursive: true, force: true });
      report.bundleDirsRemoved.push(p);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') report.errors.push(`${opts.tmpDir}: ${(e as Error).message}`);
  }
  return report;
}

/** cleanupAfterBuildSync, for async callers. */
export async function cleanupAfterBuild(opts: { env: Record<string, string>; tmpDir: string }): Promise<CleanupReport> {
  return cleanupAfterBuildSync(opts);
}
