// The commands publishing runs, as argv (so --dry-run prints exactly them), and their execution
// through the engine layer's process runner with retries. Credentials are never passed: podman and
// skopeo read the engine's usual auth file (REGISTRY_AUTH_FILE, or ${XDG_RUNTIME_DIR}/containers/auth.json).
import { createHash } from 'node:crypto';
import { checkResult, execCommand, execOptions, formatArgv, type CommandSink, type Engine, type ExecResult } from '../runner/engine/index.js';
import { isLoopback } from './registry-map.js';

export interface Runner {
  env: Record<string, string>;
  /** The engine whose store holds the built images (manifest lists are made through it). */
  engine?: Engine;
  /** Every command run or (dry run) printed. */
  log: (line: string) => void;
  dryRun: boolean;
}

export interface Retry {
  attempts: number;
  /** First back-off in ms; doubles each time. */
  backoffMs: number;
}

export class CommandFailed extends Error {
  constructor(readonly argv: string[], readonly result: ExecResult, readonly attempts: number) {
    super(`${argv[0]} ${argv[1]} failed${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${lastLine(result.stderr) || `exit ${result.code}`}`);
  }
}

function lastLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).slice(-1)[0]?.replace(/^time="[^"]*" level=\w+ msg=/, '') ?? '';
}

/** Errors worth another try: the network or the registry, not the request. */
export function isTransient(stderr: string): boolean {
  return /connection refused|connection reset|i\/o timeout|timeout|EOF|TLS handshake|502|503|504|500 Internal|too many requests|429|temporar/i.test(stderr);
}

export async function run(r: Runner, argv: string[], retry: Retry = { attempts: 1, backoffMs: 0 }): Promise<ExecResult> {
  r.log(formatArgv(argv));
  if (r.dryRun) return { argv, code: 0, signal: null, stdout: '', stderr: '', timedOut: false, aborted: false, durationMs: 0 };
  for (let attempt = 1; ; attempt++) {
    const res = await execCommand(argv, { env: r.env, timeoutMs: 30 * 60_000 });
    if (res.code === 0) return res;
    if (attempt >= retry.attempts || !isTransient(res.stderr)) throw new CommandFailed(argv, res, attempt);
    await new Promise((ok) => setTimeout(ok, retry.backoffMs * 2 ** (attempt - 1)));
  }
}

/** The Runner as the engine layer's CommandSink: every command logged (printed in a dry run), then run. */
export function sinkOf(r: Runner): CommandSink {
  return {
    dryRun: r.dryRun,
    async run(argv, o = {}) {
      r.log(formatArgv(o.display ? [o.display, ...argv.slice(1)] : argv));
      if (r.dryRun) return { argv, code: 0, signal: null, stdout: '', stderr: '', timedOut: false, aborted: false, durationMs: 0 };
      return checkResult(argv, await execCommand(argv, execOptions(o)), o);
    },
  };
}

const tls = (flag: string, ref: string) => (isLoopback(ref) ? [`--${flag}=false`] : []);

/** The digest of what a reference holds now; null when the registry has no such manifest. */
export async function remoteDigest(r: Runner, ref: string, retry: Retry): Promise<string | null> {
  const argv = ['skopeo', 'inspect', '--raw', '--retry-times', '0', ...tls('tls-verify', ref), `docker://${ref}`];
  try {
    const res = await run(r, argv, retry);
    return `sha256:${createHash('sha256').update(res.stdout).digest('hex')}`;
  } catch (e) {
    if (e instanceof CommandFailed && /manifest unknown|not found|name unknown|404/i.test(e.result.stderr)) return null;
    throw e;
  }
}

export function copyArgv(srcLayout: string, srcTag: string, ref: string, all: boolean): string[] {
  return ['skopeo', 'copy', ...(all ? ['--all'] : []), '--preserve-digests', '--retry-times', '0', ...tls('dest-tls-verify', ref), `oci:${srcLayout}:${srcTag}`, `docker://${ref}`];
}

export { variantOf } from '../runner/platform.js';
