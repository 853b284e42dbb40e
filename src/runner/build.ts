// `almac build`: load the project, plan the builds (build/plan.ts), open the engine and take the
// build directory's lock, reap what killed runs left, skip what has not changed (build/skip.ts), run
// the rest N at a time (build/schedule.ts, build/execute.ts), and report (build/report.ts).
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../util/suggest.js';
import {
  EnvironmentError,
  findImage,
  findOnPath,
  openEngine,
  qualifyName,
  reapLeftoversSync,
  UsageError,
  type Engine,
  type ImageRecord,
} from './engine/index.js';
import type { Job, Route } from './job.js';
import { loadProject, selectImages } from './load.js';
import { createReporter } from './progress.js';
import { RepoServer } from './repo-server.js';
import { parseRepoOptions, RepoOptionError } from './repos.js';
import { acquireLock, loadState, type Lock } from './state.js';
import { printDryRun } from './build/dry-run.js';
import { executeJob } from './build/execute.js';
import { pruneCreated, pruneSupersededBuilders } from './build/housekeeping.js';
import { guardRun, reapBuildDirSync } from './build/interrupt.js';
import { EXIT_CODES, useColor, type BuildCommandOptions, type BuildIo } from './build/options.js';
import { checkRunnable, planJobs } from './build/plan.js';
import { checkSysbasePlatforms, parseSysbaseOptions } from './build/sysbase.js';
import { exitCodeOf, jobJson, printJsonResult, printSummary } from './build/report.js';
import type { RunContext } from './build/run-context.js';
import { schedule } from './build/schedule.js';
import { inputsFunction, triage } from './build/skip.js';

export { EXIT_CODES, type BuildCommandOptions } from './build/options.js';
export { formatSize } from './build/report.js';
export { hostBasearch } from './build/plan.js';

export async function runBuildCommand(o: BuildCommandOptions, io: BuildIo = { out: process.stdout, err: process.stderr, color: useColor(process.stderr) }): Promise<number> {
  try {
    return await runBuild(o, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof RepoOptionError) {
      io.err.write(`error: ${e.message}\n`);
      return EXIT_CODES.usage;
    }
    if (e instanceof EnvironmentError) {
      io.err.write(`error: ${e.message}\n`);
      return EXIT_CODES.environment;
    }
    throw e;
  }
}

/** Everything up to the engine: what to build (a number: the exit code of a run that ends here). */
export async function planRun(o: BuildCommandOptions, io: BuildIo): Promise<number | { jobs: Job[]; notes: string[]; repoOptions: ReturnType<typeof parseRepoOptions> }> {
  const root = resolve(o.root);
  const buildDir = resolve(root, o.buildDir);
  const routes: Route[] = o.via.length ? [...new Set(o.via)] : ['containerfile'];
  const project = await loadProject(root, buildDir, { writeCache: !o.dryRun });
  if (project.diagnostics.some((d) => d.severity === 'error')) {
    await printDiags(project.diagnostics, project.sources, o.json);
    return EXIT_CODES.failed;
  }
  const { selected, unknown } = selectImages(project.images, o.selectors);
  if (unknown.length) {
    const cands = new Set(project.images.flatMap((s) => [s.id, s.image, s.release]));
    const sel = unknown[0]!;
    throw new UsageError(`no image matches \`${sel}\`; ${didYouMean(sel, cands) ?? `known: ${[...new Set(project.images.map((s) => s.image))].join(', ')} × releases ${[...new Set(project.images.map((s) => s.release))].join(', ')}`}`);
  }
  const repoOptions = parseRepoOptions(o.repo, process.cwd());
  if (o.ksExecutor === 'livemedia-creator' && !findOnPath('livemedia-creator')) {
    throw new EnvironmentError('--kickstart-executor livemedia-creator: livemedia-creator is not on PATH (it comes with lorax on EL/Fedora)');
  }
  const sysbase = parseSysbaseOptions(o.sysbase ?? []);
  checkSysbasePlatforms(sysbase, project.images.flatMap((s) => s.platforms));
  const plan = planJobs({ root, buildDir, project, selected, routes, platforms: o.platform, sysbase, repoOptions, locked: Boolean(o.locked) });
  if (plan.stale.length) {
    io.err.write(`error: generated/ does not match the definitions, so it would not build what they say:\n${plan.stale.map((s) => `  ${s}`).join('\n')}\nRun \`almac generate\` (and commit the result).\n`);
    return EXIT_CODES.failed;
  }
  if (!plan.jobs.length) {
    for (const n of plan.notes) io.err.write(`note: ${n}\n`);
    throw new UsageError('nothing to build for this host and these options');
  }
  checkRunnable(plan.jobs, o.noGpgcheck);
  return { jobs: plan.jobs, notes: plan.notes, repoOptions };
}

async function runBuild(o: BuildCommandOptions, io: BuildIo): Promise<number> {
  const jobsN = o.jobs ?? availableParallelism();
  if (!Number.isInteger(jobsN) || jobsN < 1) throw new UsageError(`--jobs must be a whole number ≥ 1, not ${String(o.jobs)}`);
  const prepared = await planRun(o, io);
  if (typeof prepared === 'number') return prepared;
  const root = resolve(o.root);
  const buildDir = resolve(root, o.buildDir);
  const storeDir = o.store === 'system' ? 'system' : resolve(root, o.store ?? join(o.buildDir, 'engine'));
  const engine = await openEngine({ ...(o.engine ? { name: o.engine } : {}), store: storeDir, write: !o.dryRun });
  return runWithEngine(o, io, engine, prepared.jobs, prepared.notes, jobsN);
}

/** The run proper, against any Engine (the orchestration tests pass an in-memory one). */
export async function runWithEngine(o: BuildCommandOptions, io: BuildIo, engine: Engine, jobs: Job[], notes: string[], jobsN: number): Promise<number> {
  const root = resolve(o.root);
  const buildDir = resolve(root, o.buildDir);
  const ksExecutor: 'livemedia-creator' | 'almac' = o.ksExecutor === 'auto' ? (findOnPath('livemedia-creator') ? 'livemedia-creator' : 'almac') : o.ksExecutor;
  const locks: Lock[] = [];
  const releaseLocks = (): void => {
    for (const l of locks.splice(0)) l.release();
  };
  if (!o.dryRun) {
    const wait = (pid: number): void => void io.err.write(`waiting for another almac build (pid ${pid}) to finish with ${buildDir}…\n`);
    locks.push(await acquireLock(join(buildDir, '.lock'), wait));
    if (engine.store && resolve(engine.store.stateDir) !== buildDir) locks.push(await acquireLock(join(engine.store.stateDir, '.almac-lock'), wait));
  }
  try {
    if (!o.dryRun) {
      // what an earlier, killed run left in the store (the store's lock is ours now)
      const reaped = reapLeftoversSync(engine);
      reaped.removed += reapBuildDirSync(buildDir);
      if (reaped.removed) io.err.write(`note: removed ${reaped.removed} leftover${reaped.removed === 1 ? '' : 's'} of an interrupted earlier run (containers, mounts, temporary files, processes)\n`);
    }
    return await runLocked(o, io, engine, jobs, notes, jobsN, buildDir, root, ksExecutor, releaseLocks);
  } finally {
    releaseLocks();
  }
}

async function runLocked(o: BuildCommandOptions, io: BuildIo, engine: Engine, jobs: Job[], notes: string[], jobsN: number, buildDir: string, root: string, ksExecutor: 'livemedia-creator' | 'almac', releaseLocks: () => void): Promise<number> {
  let images: ImageRecord[] = [];
  // --dry-run writes nothing: a store that does not exist yet is read as empty
  const hermetic = engine.envVars['CONTAINERS_CONF'];
  if (!o.dryRun || !hermetic || existsSync(hermetic)) {
    try {
      images = await engine.listImages();
    } catch (e) {
      throw new EnvironmentError(`cannot list the images of ${engine.name}${engine.name === 'docker' ? ' (is the docker daemon running and reachable?)' : ''}: ${(e as Error).message}`);
    }
  }
  const state = loadState(buildDir);
  const inputsOf = inputsFunction(engine.name, o.noGpgcheck, ksExecutor);
  const { toRun, reverify } = triage(jobs, images, state, inputsOf, o.force);
  const print = (s: string): void => void io.out.write(s + '\n');
  const controller = new AbortController();
  const repoOptions = jobs[0]?.plan.repoOptions ?? [];
  const urlRepos = repoOptions.filter((r) => r.kind === 'url');
  const run: RunContext = {
    engine, images, buildDir, state, inputsOf, noGpgcheck: o.noGpgcheck, ksExecutor,
    pulls: new Map(), derived: new Map(), derivedUsed: new Set(), dryRun: o.dryRun, print, signal: controller.signal,
    ...(urlRepos.length && (toRun.length || reverify.length) ? { server: new RepoServer(urlRepos.map((r) => ({ name: r.name, upstream: r.url! })), join(buildDir, 'cache', `packages-${process.pid}`)) } : {}),
  };
  if (o.dryRun) return printDryRun(run, jobs, reverify, notes, (t) => void io.err.write(t));

  const reporter = createReporter(o.progress ?? 'auto', o.json, io);
  for (const n of notes) reporter.message(`note: ${n}`);
  for (const j of jobs) reporter.add(j.plan.key, j.plan.label);
  for (const j of jobs) if (j.result.status === 'skipped') reporter.finish(j.plan.key, 'skipped', 'unchanged');

  const before = engine.store || !engine.capabilities.pidNamespaceBuilds || !(toRun.length + reverify.length) ? undefined : new Set(engine.workingContainersSync());
  const guard = guardRun(engine, buildDir, {
    ...(before ? { before } : {}),
    onSignal: (sig) => {
      controller.abort();
      releaseLocks();
      reporter.close();
      const running = jobs.filter((j) => j.result.status === 'pending').length;
      return `\nalmac build: interrupted by ${sig}; stopped ${running} unfinished build${running === 1 ? '' : 's'} and removed their containers and mounts\n`;
    },
  });
  const t0 = Date.now();
  try {
    // images an earlier run superseded but was killed before removing (StateFile.created)
    await pruneCreated(run);
    // skipped builds: make sure today's naming tags exist (e.g. a new {date})
    for (const { plan, result } of jobs.filter((x) => x.result.status === 'skipped' && x.plan.namingTags.length)) {
      const missing = plan.namingTags.filter((t) => !images.some((i) => i.names.includes(qualifyName(t))));
      await engine.tag(result.imageId!, missing);
    }
    await schedule([...reverify, ...toRun], {
      jobs: jobsN,
      keepGoing: o.keepGoing,
      controller,
      engine,
      reporter,
      color: io.color,
      print,
      execute: (job, ctx) => executeJob(job, ctx, run, reverify.includes(job)),
      finished: (job) => writeResult(job, buildDir),
    });
    if (controller.signal.aborted) guard.cleanupNow(); // fail-fast killed the others: remove what they left
    if (toRun.length) await pruneCreated(run);
  } finally {
    guard.dispose();
    reporter.close();
    if (run.server) await run.server.stop();
    await pruneSupersededBuilders(run);
  }
  const summary = { jobs, engine, buildDir, root, notes, elapsedMs: Date.now() - t0, ...(run.server ? { packageCache: run.server.stats } : {}) };
  if (o.json) printJsonResult(io, summary);
  else printSummary(io, summary);
  return exitCodeOf(jobs);
}

function writeResult(job: Job, buildDir: string): void {
  try {
    if (existsSync(job.plan.outDir)) writeFileSync(job.plan.resultFile, JSON.stringify(jobJson(job, relative(buildDir, job.plan.outDir)), null, 2) + '\n');
  } catch {
    // the summary still has it
  }
}

async function printDiags(ds: Diagnostic[], sources: Map<string, string>, json: boolean): Promise<void> {
  const { printDiagnostics, printJson, diagnosticsJson } = await import('../cli/io.js');
  if (json) printJson({ ok: false, diagnostics: diagnosticsJson(ds) });
  else printDiagnostics(ds, sources);
}

export { findImage };
