// The process layer of the runner: every command almac runs (engines, dnf, rpm, tar, helpers) goes
// through execCommand — a log file, a bounded output tail, a timeout, an abort signal, process-group
// kill and PID-namespace kill-safety — and one signal registry handles SIGINT/SIGTERM/SIGHUP for the
// whole process.
//
// Kill-safety. Killing `podman build` (SIGKILL, SIGTERM or SIGINT alike) does NOT stop its RUN-step
// processes: they are re-parented to PID 1 and keep running, and the working container, its overlay
// mounts, runc state and the /var/tmp/buildahNNN bundle dir stay behind. Likewise `podman run`
// daemonizes conmon, which outlives a killed client. So engine commands run as
//     setpriv --pdeathsig SIGKILL unshare --pid --fork --mount-proc --kill-child=SIGKILL podman …
// podman is then PID 1 of a new PID namespace; when it dies (or unshare, which kills it), the kernel
// kills every process in that namespace — RUN steps, conmon, runc init included. `setpriv --pdeathsig`
// makes unshare die with the Node process, even when that one is SIGKILLed (no cleanup runs then; the
// next run reaps what is left, see reap.ts). --mount-proc is required: without it runc fails with
// "readlink /proc/NN/fd/0: no such file or directory".
//
// Children are spawned in their own process group (so a terminal's Ctrl-C does not reach them behind
// our back) and tracked: on a signal the registry SIGKILLs every tracked group, runs the registered
// cleanups (newest first, synchronously), and exits with 128 + the signal's number.
import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { constants } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { findOnPath } from './detect.js';
import { CommandError, failureReason, stderrTail } from './errors.js';

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

/** Whether a child can be made to die with this process (util-linux setpriv is on PATH). */
export function canDieWithParent(pathEnv: string | undefined = process.env['PATH']): boolean {
  return findOnPath('setpriv', pathEnv) !== undefined;
}

/** argv that dies with this process, even by SIGKILL, where it can (canDieWithParent); else argv as it is. */
export function diesWithParent(argv: readonly string[], pathEnv?: string): string[] {
  return [...(canDieWithParent(pathEnv) ? PDEATHSIG_PREFIX : []), ...argv];
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

// --- the signal registry ----------------------------------------------------------------------------

const active = new Set<number>(); // process-group ids (= pids of the group leaders)
const cleanups: ((sig: NodeJS.Signals) => void)[] = [];
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
 * SIGKILLs every tracked child's process group, then runs the registered cleanups, newest first. This is
 * what the registry does on a signal before exiting (exported for tests). Everything here is synchronous
 * on purpose: another listener (a test runner's) may call process.exit() right after ours returns,
 * which would cut an asynchronous cleanup short.
 */
export function interruptChildren(sig: NodeJS.Signals = 'SIGTERM'): void {
  for (const pgid of active) killGroup(pgid);
  for (const fn of [...cleanups].reverse()) {
    try {
      fn(sig);
    } catch {
      // best effort: we are going down anyway
    }
  }
}

const handler = (sig: NodeJS.Signals): void => {
  if (interrupting) return;
  interrupting = true;
  interruptChildren(sig);
  process.exit(128 + (constants.signals[sig] ?? 15));
};

function syncHandlers(): void {
  const want = active.size > 0 || cleanups.length > 0;
  if (want && !handlersInstalled) for (const s of FORWARDED) process.on(s, handler);
  if (!want && handlersInstalled && !interrupting) for (const s of FORWARDED) process.off(s, handler);
  handlersInstalled = want || (handlersInstalled && interrupting);
}

/**
 * Registers a synchronous cleanup to run on SIGINT/SIGTERM/SIGHUP, after every tracked child was
 * killed. While any cleanup is registered (or a child runs) the registry owns these signals.
 * Returns the unregister function.
 */
export function onInterrupt(fn: (sig: NodeJS.Signals) => void): () => void {
  cleanups.push(fn);
  syncHandlers();
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
    syncHandlers();
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
  const full = killSafe ? killSafeArgv(argv, { pdeathsig: canDieWithParent(opts.env?.['PATH']) }) : [...argv];
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
  syncHandlers();
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
  syncHandlers();
  const durationMs = Date.now() - started;
  if (log) {
    const how = timedOut ? `timed out after ${opts.timeoutMs} ms` : aborted ? 'aborted' : signal ? `killed by ${signal}` : `exit ${code}`;
    await new Promise<void>((res) => log!.end(`\n# ${how} (${durationMs} ms)\n`, () => res()));
  }
  return { argv: full, code, signal, stdout: out.text(), stderr: err.text(), timedOut, aborted, durationMs };
}

// --- command sinks -------------------------------------------------------------------------------------

export interface CommandOptions {
  /** The whole environment of the child. Default: process.env. */
  env?: Record<string, string>;
  cwd?: string;
  killSafe?: boolean;
  timeoutMs?: number;
  input?: string;
  /** Each complete output line, as it comes. */
  onLine?: (line: string) => void;
  /** Do not throw on a non-zero exit. */
  allowFailure?: boolean;
  /** Text for the error message instead of the command line. */
  what?: string;
  /** Shown instead of argv[0] when the command is printed (e.g. `podman` for /usr/bin/podman). */
  display?: string;
}

/**
 * Where an engine or a build step sends its commands: run now (directSink), or run as part of a job
 * (its log, its abort signal) or print them for --dry-run (JobContext in ../job.ts). A sink throws
 * CommandError for a failed command unless allowFailure, and CancelledError when its run was aborted.
 */
export interface CommandSink {
  readonly dryRun: boolean;
  run(argv: string[], o?: CommandOptions): Promise<ExecResult>;
}

/** Lines of a stream, delivered as they complete. */
export function lineSplitter(onLine: (l: string) => void): (chunk: string) => void {
  let buf = '';
  return (chunk: string) => {
    buf += chunk;
    let i;
    while ((i = buf.search(/[\r\n]/)) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (l.trim()) onLine(l);
    }
  };
}

/** The ExecOptions of CommandOptions. */
export function execOptions(o: CommandOptions): ExecOptions {
  const onLine = o.onLine ? lineSplitter(o.onLine) : undefined;
  return {
    ...(o.env ? { env: o.env } : {}),
    ...(o.cwd ? { cwd: o.cwd } : {}),
    ...(o.killSafe ? { killSafe: true } : {}),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.input !== undefined ? { input: o.input } : {}),
    ...(onLine ? { onOutput: (c: string) => onLine(c) } : {}),
  };
}

/** Throws CommandError for a failed result (unless allowFailure). */
export function checkResult(argv: readonly string[], r: ExecResult, o: CommandOptions): ExecResult {
  if (r.code === 0 || o.allowFailure) return r;
  const shown = o.display ? [o.display, ...argv.slice(1)] : argv;
  const tail = stderrTail(r);
  throw new CommandError(`${o.what ?? formatArgv(shown).slice(0, 200)} failed (${failureReason(r, o.timeoutMs)})${tail ? `:\n${tail}` : ''}`, r);
}

/** Runs commands now, outside any job. */
export const directSink: CommandSink = {
  dryRun: false,
  async run(argv, o = {}) {
    return checkResult(argv, await execCommand(argv, execOptions(o)), o);
  },
};

/** execCommand that throws CommandError unless the exit code is 0. */
export async function execChecked(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return checkResult(argv, await execCommand(argv, opts), opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
}
