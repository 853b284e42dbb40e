// One build (image × route × platform): its plan (decided before anything runs, never changed), its
// result (filled in as it runs), and the context its steps run in. JobContext is the build's
// CommandSink: every command a step or the engine runs for it is written to the build's log, killed
// when the run is interrupted or fails fast, and — under --dry-run — printed (as a runnable shell
// line) instead of run.
import { appendFileSync, mkdirSync } from 'node:fs';
import { outputFileSync } from './files.js';
import { dirname, join } from 'node:path';
import {
  CancelledError,
  checkResult,
  execCommand,
  execOptions,
  formatArgv,
  killSafeArgv,
  type CommandOptions,
  type CommandSink,
  type ContainerRunOptions,
  type Engine,
  type ExecResult,
} from './engine/index.js';
import type { ImageSpec, PlatformInfo } from '../model/spec.js';
import type { AssertionResult } from './verify.js';
import type { RepoOption } from './repos.js';

export type Route = 'containerfile' | 'kickstart';
export const ROUTES: readonly Route[] = ['containerfile', 'kickstart'];

export type JobStatus = 'pending' | 'skipped' | 'built' | 'verified' | 'failed' | 'cancelled';

/** What to build and where its files go: decided by plan.ts, read-only afterwards. */
export interface JobPlan {
  readonly key: string;
  readonly label: string;
  readonly spec: ImageSpec;
  readonly route: Route;
  readonly platform: PlatformInfo;
  /** The platform the host runs natively (no emulation). */
  readonly native: boolean;
  /** The generated file, relative to the project root and absolute, and its bytes. */
  readonly generatedRel: string;
  readonly generatedPath: string;
  readonly generatedBytes: Buffer;
  readonly outDir: string;
  readonly workDir: string;
  readonly logFile: string;
  readonly manifestFile: string;
  readonly resultFile: string;
  readonly localTag: string;
  /** repository:tag names this build receives when it verifies (may be empty). */
  readonly namingTags: readonly string[];
  readonly sysbaseRef: string;
  /** --repo options (empty: the builder's / kickstart's own repositories). */
  readonly repoOptions: readonly RepoOption[];
  /** Network of builds and helper containers: 'none' when everything they fetch is inside the builder. */
  readonly network: 'none' | 'host';
  /** Hash of what verification checks; a change re-verifies without rebuilding. */
  readonly verifyHash: string;
  /** With --locked: the lock file the built image must match (absolute path, may not exist). */
  readonly lockFile?: string;
}

export type Phase = 'prepare' | 'build' | 'verify' | 'tag';

/** What happened to a job: filled in by skip.ts, schedule.ts, execute.ts and verify-image.ts. */
export interface JobResult {
  status: JobStatus;
  /** Hash of everything the image is made from (known once the builder image is). */
  inputs?: string;
  imageId?: string;
  previousImageId?: string;
  size?: number;
  /** null: the image has no rpm database. */
  packages?: number | null;
  assertions: AssertionResult[];
  durationMs?: number;
  error?: string;
  /** The failure is the environment's (engine, prerequisites), not the build's. */
  environmentError?: boolean;
  phase?: Phase;
  /** Which tool ran the kickstart. */
  executor?: string;
}

export interface Job {
  readonly plan: JobPlan;
  readonly result: JobResult;
}

export function newJob(plan: JobPlan): Job {
  return { plan, result: { status: 'pending', assertions: [] } };
}

/** A build step failed (the message says which and why). */
export { CommandError as StepError } from './engine/index.js';
export { CancelledError };

export interface ExecStepOptions extends CommandOptions {
  /** `env` is the whole environment (not added to this process's). */
  cleanEnv?: boolean;
}

export class JobContext implements CommandSink {
  /** Whether the --dry-run script made the host commands' TMPDIR yet. */
  private madeTmp = false;

  constructor(
    readonly job: JobPlan,
    readonly engine: Engine,
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

  /** A command in a throw-away container of `image` (named, labelled, removed on interrupt). */
  async container(image: string, argv: string[], o: ContainerRunOptions = {}): Promise<ExecResult> {
    this.checkCancelled();
    const r = await this.engine.run(image, argv, o, this);
    if (r.aborted || this.signal.aborted) throw new CancelledError();
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

  /** Raw text in the --dry-run script (nothing otherwise). */
  script(text: string): void {
    if (this.dryRun) this.print(text);
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
    outputFileSync(path, content);
  }

  /**
   * A host command. Its TMPDIR is the job's own (`work/tmp`), never the system's: dnf makes a
   * temporary file there for each transaction, and one killed with the run would stay behind in
   * /tmp, where nothing could tell it from another program's. The job's work directory is removed
   * when the job ends, and by the next run when a killed one left it (build/interrupt.ts).
   */
  hostCmd(argv: string[], o: ExecStepOptions = {}): Promise<ExecResult> {
    const tmp = join(this.job.workDir, 'tmp');
    if (!this.dryRun) mkdirSync(tmp, { recursive: true });
    else if (!this.madeTmp) this.print(`mkdir -p ${formatArgv([tmp])}`);
    this.madeTmp = true;
    const own = { ...o.env, TMPDIR: tmp };
    const env = o.cleanEnv ? own : { ...(process.env as Record<string, string>), ...own };
    return this.exec(argv, { ...o, env }, own);
  }

  /** CommandSink: engine commands (their env is complete; only the engine's own variables are printed). */
  run(argv: string[], o: CommandOptions = {}): Promise<ExecResult> {
    return this.exec(argv, o, undefined);
  }

  private async exec(argv: string[], o: CommandOptions & { cleanEnv?: boolean }, shownEnv: Record<string, string> | undefined): Promise<ExecResult> {
    this.checkCancelled();
    const shown = o.display ? [o.display, ...argv.slice(1)] : argv;
    if (this.dryRun) {
      const envPrefix = shownEnv
        ? (o.cleanEnv ? '-i ' : '') + Object.entries(shownEnv).filter(([k, v]) => o.cleanEnv || process.env[k] !== v).map(([k, v]) => `${k}=${formatArgv([v])} `).join('')
        : '';
      const cmd = o.killSafe ? killSafeArgv(shown) : shown;
      this.print(`${o.cwd ? `(cd ${formatArgv([o.cwd])} && ` : ''}${envPrefix ? `env ${envPrefix}` : ''}${formatArgv(cmd)}${o.cwd ? ')' : ''}`);
      return { argv, code: 0, signal: null, stdout: '', stderr: '', timedOut: false, aborted: false, durationMs: 0 };
    }
    const r = await execCommand(argv, { ...execOptions(o), logFile: this.job.logFile, signal: this.signal, maxCaptureBytes: 1024 * 1024 });
    if (r.aborted || this.signal.aborted) throw new CancelledError();
    return checkResult(argv, r, o);
  }
}
