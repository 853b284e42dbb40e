// dry-run: the commands a run would execute, as a shell script on stdout. Nothing is run or written.
import { formatArgv } from '../engine/index.js';
import { JobContext, type Job } from '../job.js';
import { loadState } from '../state.js';
import { buildRoute, ensureSysbase, prepareRepos } from './execute.js';
import type { RunContext } from './run-context.js';

export async function printDryRun(run: RunContext, jobs: Job[], reverify: Job[], notes: string[], err: (s: string) => void): Promise<number> {
  const p = run.print;
  const { engine } = run;
  p('#!/bin/sh');
  p('# almac build --dry-run: the commands the build would run. Nothing was run.');
  p('set -eu');
  for (const [k, v] of Object.entries(engine.envVars)) p(`export ${k}=${formatArgv([v])}`);
  for (const n of notes) p(`# note: ${n}`);
  if (run.server) p(`# http(s) repositories are fetched through almac's package cache on ${run.server.address} (a port is chosen at run time)`);
  const state = loadState(run.buildDir);
  let n = 0;
  for (const job of jobs) {
    const { plan: j, result } = job;
    p('');
    p(`# === ${j.spec.id} via ${j.route} (${j.platform.name})`);
    if (result.status === 'skipped') {
      p(`# unchanged since ${state.builds[j.key]?.finishedAt ?? 'the last build'}; image ${result.imageId?.slice(0, 12)} (${j.localTag}) is kept`);
      continue;
    }
    n++;
    if (reverify.includes(job)) {
      p(`# unchanged image ${result.imageId?.slice(0, 12)}; its assertions changed: it would be verified again`);
      continue;
    }
    const ctx = new JobContext(j, engine, run.signal, true, () => {}, p);
    try {
      const sysbaseId = await ensureSysbase(j, run, ctx);
      const { builderRef, hostRepos } = await prepareRepos(j, sysbaseId, run, ctx);
      await buildRoute(j, ctx, run, builderRef, hostRepos);
    } catch (e) {
      p(`# cannot plan this build: ${(e as Error).message}`);
    }
    const nA = j.spec.assertions.length;
    p(`# then: package manifest (rpm -qa from the mounted image) → ${j.manifestFile}; ${nA} assertion${nA === 1 ? '' : 's'}${j.namingTags.length ? `; tags ${j.namingTags.join(' ')}` : ''}`);
  }
  err(`dry run: ${n} of ${jobs.length} build${jobs.length === 1 ? '' : 's'} would run; nothing was run\n`);
  return 0;
}
