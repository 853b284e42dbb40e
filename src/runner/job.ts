// One build (image × route × platform) and the context its steps run in. Every command a step runs goes
// through JobContext: it is written to the build's log, killed when the run is interrupted or fails
// fast, and — under --dry-run — printed (as a runnable shell line) instead of run.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { execCommand, formatArgv, killSafeArgv, type ExecResult } from './engine/index.js';
import type { EngineAdapter } from './engines/adapter.js';
import type { ImageSpec, PlatformInfo } from '../model/spec.js';
import type { AssertionResult } from './verify.js';
import type { RepoOption, ResolvedRepo } from './repos.js';

export type Route = 'containerfile' | 'kickstart';
export const ROUTES: readonly Route[] = ['containerfile', 'kickstart'];

export type JobStatus = 'pending' | 'skipped' | 'built' | 'verified' | 'failed' | 'cancelled';

export interface Job {
  key: string;
  label: string;
  spec: ImageSpec;
  route: Route;
  platform: PlatformInfo;
  /** The platform the host runs natively (no emulation). */
  native: boolean;
  /** Path relative to generated/ and absolute. */
  generatedRel: string;
  generatedPath: string;
  generatedBytes: Buffer;
  outDir: string;
  workDir: string;
  logFile: string;
  manifestFile: string;
  resultFile: string;
  localTag: string;
  /** repository:tag names this build receives when it verifies (may be empty). */
  namingTags: string[];
  sysbaseRef: string;
  /** --repo options (empty: the builder's / kickstart's own repositories). */
  repoOptions: RepoOption[];
  /** Network of builds and helper containers: 'none' when everything they fetch is inside the builder. */
  network: 'none' | 'host';
  inputs?: string;
  verifyHash: string;
  /** With --locked: the lock file the built image must match (absolute path, may not exist). */
  lockFile?: string;
  // results
  status: JobStatus;
  imageId?: string;
  previousImageId?: string;
  size?: number;
  packages?: number | null;
  assertions: AssertionResult[];
  durationMs?: number;
  error?: string;
  /** The failure is the environment's (engine, prerequisites), not the build's. */
  environmentError?: boolean;
  phase?: 'prepare' | 'build' | 'verify' | 'tag';
  /** Which tool ran the kickstart. */
  executor?: string;
}

export class StepError extends Error {
  constructor(message: string, readonly result?: ExecResult) {
    super(message);
    this.name = 'StepError';
  }
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export interface ExecStepOptions {
  env?: Record<string, string>;
  cwd?: string;
  killSafe?: boolean;
  timeoutMs?: number;
  onLine?: (line: string) => void;
  /** `env` is the whole environment (not added to this process's). */
  cleanEnv?: boolean;
  /** Do not throw on a non-zero exit. */
  allowFailure?: boolean;
  /** Text for the error message instead of the command. */
  what?: string;
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

export class JobContext {
  constructor(
    readonly job: Job,
    readonly engine: EngineAdapter,
    readonly signal: AbortSignal,
    readonly dryRun: boolean,
    private readonly onStep: (text: string) => void,
    private readonly print: (text: string) => void,
  ) {
    if (!dryRun) mkdirSync(dirname(job.logFile), { recursive: true });
  }

  /** Progress (and a log line). */
  step(text: string): void {
    this.onStep(text);
    this.log(`## ${text}`);
  }

  /** Progress only (e.g. a build's own STEP lines, which are in the log already). */
  progress(text: string): void {
    this.onStep(text);
  }

  /** A command in a throw-away container of `image` (named, removed on interrupt). */
  async container(image: string, argv: string[], o: { network?: string; volumes?: string[]; env?: Record<string, string>; allowFailure?: boolean; what?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    this.checkCancelled();
    const name = `almac-${this.job.route}-${process.pid}-${Math.random().toString(16).slice(2, 10)}`;
    const ro = { name, ...(o.network ? { network: o.network } : {}), ...(o.volumes ? { volumes: o.volumes } : {}), ...(o.env ? { env: o.env } : {}) };
    if (this.dryRun) {
      if (this.engine.name === 'buildah') this.print(formatArgv(['buildah', 'from', '--pull=never', '--name', name, image]));
      this.print(formatArgv([this.engine.name, ...this.engine.containerRunArgs(image, argv, ro)]));
      if (this.engine.name === 'buildah') this.print(formatArgv(['buildah', 'rm', name]));
      return { argv, code: 0, signal: null, stdout: '', stderr: '', timedOut: false, aborted: false, durationMs: 0 };
    }
    const r = await this.engine.runContainer(image, argv, { ...ro, logFile: this.job.logFile, signal: this.signal, ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) });
    if (r.aborted || this.signal.aborted) throw new CancelledError();
    if (r.code !== 0 && !o.allowFailure) {
      throw new StepError(`${o.what ?? formatArgv(argv).slice(0, 200)} failed (${r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`})`, r);
    }
    return r;
  }

  log(text: string): void {
    if (this.dryRun) return;
    appendFileSync(this.job.logFile, text.endsWith('\n') ? text : text + '\n');
  }

  /** A remark: in the log, and as a comment in --dry-run output. */
  note(text: string): void {
    if (this.dryRun) this.print(text.split('\n').map((l) => `# ${l}`).join('\n'));
    else this.log(`# ${text}`);
  }

  checkCancelled(): void {
    if (this.signal.aborted) throw new CancelledError();
  }

  /** Writes a file (--dry-run: prints it as a here-document). */
  writeFile(path: string, content: string): void {
    if (this.dryRun) {
      let eof = 'EOF';
      while (content.includes(eof)) eof += '_';
      this.print(`mkdir -p ${formatArgv([dirname(path)])} && cat > ${formatArgv([path])} <<'${eof}'\n${content}${content.endsWith('\n') ? '' : '\n'}${eof}`);
      return;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }

  /** An engine command (argv without the program). */
  engineCmd(args: string[], o: ExecStepOptions = {}): Promise<ExecResult> {
    return this.run([this.engine.bin, ...args], { ...o, env: { ...this.engine.env, ...(o.env ?? {}) } }, this.engine.name);
  }

  /** A host command. */
  hostCmd(argv: string[], o: ExecStepOptions = {}): Promise<ExecResult> {
    return this.run(argv, o);
  }

  private async run(argv: string[], o: ExecStepOptions, displayName?: string): Promise<ExecResult> {
    this.checkCancelled();
    const shown = displayName ? [displayName, ...argv.slice(1)] : argv;
    if (this.dryRun) {
      const envPrefix = !displayName && o.env ? (o.cleanEnv ? '-i ' : '') + Object.entries(o.env).filter(([k, v]) => o.cleanEnv || process.env[k] !== v).map(([k, v]) => `${k}=${formatArgv([v])} `).join('') : '';
      const cmd = o.killSafe ? killSafeArgv(shown) : shown;
      this.print(`${o.cwd ? `(cd ${formatArgv([o.cwd])} && ` : ''}${envPrefix ? `env ${envPrefix}` : ''}${formatArgv(cmd)}${o.cwd ? ')' : ''}`);
      return { argv, code: 0, signal: null, stdout: '', stderr: '', timedOut: false, aborted: false, durationMs: 0 };
    }
    const onOutput = o.onLine ? lineSplitter(o.onLine) : undefined;
    const env = o.env ? (o.cleanEnv ? o.env : { ...(process.env as Record<string, string>), ...o.env }) : (process.env as Record<string, string>);
    const r = await execCommand(argv, {
      env,
      logFile: this.job.logFile,
      signal: this.signal,
      maxCaptureBytes: 1024 * 1024,
      ...(o.cwd ? { cwd: o.cwd } : {}),
      ...(o.killSafe ? { killSafe: true } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(onOutput ? { onOutput: (c: string) => onOutput(c) } : {}),
    });
    if (r.aborted || this.signal.aborted) throw new CancelledError();
    if (r.code !== 0 && !o.allowFailure) {
      const why = r.timedOut ? `timed out after ${Math.round((o.timeoutMs ?? 0) / 1000)}s` : r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
      throw new StepError(`${o.what ?? formatArgv(shown).slice(0, 200)} failed (${why})`, r);
    }
    return r;
  }
}

export type { ResolvedRepo };
