// schedule: runs the jobs N at a time. Without --keep-going the first failure aborts the others
// (they end 'cancelled'); every job ends in exactly one final status.
import { CancelledError, EnvironmentError, type Engine } from '../engine/index.js';
import { JobContext, type Job } from '../job.js';
import type { Reporter } from '../progress.js';
import { failureText, formatSize } from './report.js';

/** Runs `fn` over `items`, `n` at a time; a false result aborts the rest unless keepGoing. */
export async function runPool<T>(items: T[], n: number, keepGoing: boolean, controller: AbortController, fn: (t: T) => Promise<boolean>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !controller.signal.aborted) {
      const item = items[next++]!;
      const ok = await fn(item);
      if (!ok && !keepGoing && !controller.signal.aborted) controller.abort();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

export interface ScheduleOptions {
  jobs: number;
  keepGoing: boolean;
  controller: AbortController;
  engine: Engine;
  reporter: Reporter;
  color: boolean;
  print: (s: string) => void;
  /** Runs one job to completion (build or re-verify); throws on failure. */
  execute: (job: Job, ctx: JobContext) => Promise<void>;
  /** After each job, whatever its outcome. */
  finished?: (job: Job) => void;
}

/** Runs `queue`, recording each job's final status, duration and error. */
export async function schedule(queue: Job[], o: ScheduleOptions): Promise<void> {
  await runPool(queue, o.jobs, o.keepGoing, o.controller, async (job) => {
    const ok = await runOne(job, o);
    o.finished?.(job);
    return ok;
  });
}

async function runOne(job: Job, o: ScheduleOptions): Promise<boolean> {
  const { plan, result } = job;
  o.reporter.start(plan.key);
  const started = Date.now();
  const ctx = new JobContext(plan, o.engine, o.controller.signal, false, (t) => o.reporter.step(plan.key, t), o.print);
  try {
    await o.execute(job, ctx);
  } catch (e) {
    result.durationMs = Date.now() - started;
    if (e instanceof CancelledError || o.controller.signal.aborted) {
      result.status = 'cancelled';
      o.reporter.finish(plan.key, 'cancelled');
      return false;
    }
    result.status = 'failed';
    result.error = (e as Error).message;
    if (e instanceof EnvironmentError) result.environmentError = true;
    try {
      ctx.log(`\n## FAILED: ${result.error}`);
    } catch {
      // the log may be unwritable
    }
    o.reporter.finish(plan.key, 'failed', result.phase ?? '');
    o.reporter.message(failureText(job, o.color));
    return false;
  }
  result.durationMs = Date.now() - started;
  const bad = result.assertions.filter((a) => !a.ok);
  if (bad.length) {
    result.status = 'failed';
    result.error = `${bad.length} assertion${bad.length === 1 ? '' : 's'} failed`;
    o.reporter.finish(plan.key, 'failed', result.error);
    o.reporter.message(failureText(job, o.color));
    return false;
  }
  o.reporter.finish(plan.key, 'done', `${formatSize(result.size)}, ${result.packages ?? 'no'} packages`);
  return true;
}
