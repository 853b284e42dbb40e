// `almac build`: plan the builds (image × route × platform), skip what has not changed, prepare what
// the builds share (SYSBASE, the derived builder for --repo, the package cache), run the builds N at a
// time, verify every image, tag the good ones, and report.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { ImageSpec, PlatformInfo } from '../model/spec.js';
import { didYouMean } from '../util/suggest.js';
import { compareWithLock, describeComparison } from '../lock/compare.js';
import { definitionHash, lockPath, parseLock } from '../lock/lockfile.js';
import {
  cleanupAfterBuildSync,
  EngineNotFoundError,
  findOnPath,
  formatArgv,
  interruptChildren,
  onInterrupt,
  type EngineName,
} from './engine/index.js';
import { EngineCommandError, findImage, type EngineAdapter, type ImageRecord } from './engines/adapter.js';
import { EnvironmentError, openEngine } from './engines/open.js';
import { CancelledError, JobContext, StepError, type Job, type Route } from './job.js';
import { GENERATED_DIR, loadProject, selectImages } from './load.js';
import { PlainReporter, TtyReporter, formatDuration, type Reporter } from './progress.js';
import { RepoServer } from './repo-server.js';
import {
  builderRepoPath,
  derivedBuilderHash,
  gpgFor,
  parseRepoOptions,
  renderDerivedContainerfile,
  renderRepoFile,
  RepoOptionError,
  type DerivedBuilderSpec,
  type RepoOption,
  type ResolvedRepo,
} from './repos.js';
import { buildViaContainerfile } from './routes/containerfile.js';
import { buildViaKickstart } from './routes/kickstart.js';
import { acquireLock, loadState, saveState, sha256, type Lock, type StateFile } from './state.js';
import { checkCommandAssertions, checkStaticAssertions, readManifest, renderManifest, type AssertionResult } from './verify.js';

/** Bumped when the runner changes how images are made (invalidates every recorded build). */
const RUNNER_VERSION = 1;
const COMMAND_TIMEOUT_MS = 120_000;

export interface BuildCommandOptions {
  root: string;
  selectors: string[];
  engine?: EngineName;
  via: Route[];
  sysbase?: string;
  repo: string[];
  noGpgcheck: boolean;
  jobs?: number;
  keepGoing: boolean;
  dryRun: boolean;
  platform: string[];
  force: boolean;
  buildDir: string;
  /** Engine store directory, or 'system'; default <build-dir>/engine. */
  store?: string;
  json: boolean;
  ksExecutor: 'auto' | 'livemedia-creator' | 'almac';
  /** Fail an image whose packages differ from its lock in generated/locks/. */
  locked?: boolean;
}

export const EXIT_CODES = { ok: 0, failed: 1, usage: 2, environment: 3 } as const;

class UsageError extends Error {}

interface Io {
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
  color: boolean;
}

function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') return false;
  if (process.env['FORCE_COLOR']) return true;
  return Boolean(stream.isTTY);
}

// --- platforms --------------------------------------------------------------------------------------

const NODE_ARCH_TO_BASEARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ppc64: 'ppc64le', s390x: 's390x', ia32: 'i686' };

export function hostBasearch(): string {
  return NODE_ARCH_TO_BASEARCH[process.arch] ?? process.arch;
}

/** Architectures this host runs without emulation. */
function nativeArches(host: string): Set<string> {
  return new Set(host === 'x86_64' ? ['x86_64', 'i686'] : [host]);
}

function matchPlatform(spec: ImageSpec, want: string): PlatformInfo | undefined {
  const w = want.toLowerCase();
  return spec.platforms.find((p) => p.name === w || p.name === `linux/${w}` || p.basearch === w || p.uname === w);
}

function platformSlug(p: PlatformInfo): string {
  return p.name.replace(/^linux\//, '').replace(/\//g, '-');
}

function utcDate(d = new Date()): string {
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

function qualify(ref: string): string {
  // what podman lists a short name under
  const first = ref.split('/')[0]!;
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? ref : `localhost/${ref}`;
}

// --- the run ----------------------------------------------------------------------------------------

interface Shared {
  engine: EngineAdapter;
  images: ImageRecord[];
  buildDir: string;
  server?: RepoServer;
  pulls: Map<string, Promise<string>>;
  derived: Map<string, Promise<string>>;
  /** Derived builder tags used by this run (others with the same key are superseded). */
  derivedUsed: Set<string>;
  dryRun: boolean;
  print: (s: string) => void;
  signal: AbortSignal;
}

export async function runBuildCommand(o: BuildCommandOptions): Promise<number> {
  const io: Io = { out: process.stdout, err: process.stderr, color: useColor(process.stderr) };
  try {
    return await runBuild(o, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof RepoOptionError) {
      io.err.write(`error: ${e.message}\n`);
      return EXIT_CODES.usage;
    }
    if (e instanceof EngineNotFoundError || e instanceof EnvironmentError || e instanceof EngineCommandError) {
      io.err.write(`error: ${e.message}\n`);
      return EXIT_CODES.environment;
    }
    throw e;
  }
}

async function runBuild(o: BuildCommandOptions, io: Io): Promise<number> {
  const root = resolve(o.root);
  const buildDir = resolve(root, o.buildDir);
  const storeDir = o.store === 'system' ? 'system' : resolve(root, o.store ?? join(o.buildDir, 'engine'));
  const jobsN = o.jobs ?? availableParallelism();
  if (!Number.isInteger(jobsN) || jobsN < 1) throw new UsageError(`--jobs must be a whole number ≥ 1, not ${String(o.jobs)}`);
  const routes: Route[] = o.via.length ? [...new Set(o.via)] : ['containerfile'];

  // 1. images
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

  // 2. builds
  const host = hostBasearch();
  const native = nativeArches(host);
  const notes: string[] = [];
  const date = utcDate();
  const jobs: Job[] = [];
  const stale: string[] = [];
  for (const spec of selected) {
    let plats: PlatformInfo[];
    if (o.platform.length) {
      plats = [];
      for (const want of o.platform.includes('all') ? spec.platforms.map((x) => x.name) : o.platform) {
        const p = matchPlatform(spec, want);
        if (p) plats.push(p);
        else notes.push(`${spec.id}: not built for ${want} (its platforms: ${spec.platforms.map((x) => x.name).join(', ')})`);
      }
    } else {
      const p = spec.platforms.find((x) => x.basearch === host);
      plats = p ? [p] : [];
      if (!p) notes.push(`${spec.id}: has no platform for this host (${host}); its platforms: ${spec.platforms.map((x) => x.name).join(', ')}`);
    }
    for (const platform of plats) {
      for (const route of routes) {
        const rel = route === 'containerfile' ? spec.outputs.containerfile : spec.outputs.kickstart;
        const abs = join(root, GENERATED_DIR, rel);
        let bytes: Buffer;
        try {
          bytes = readFileSync(abs);
        } catch {
          stale.push(`${GENERATED_DIR}/${rel} (missing)`);
          continue;
        }
        if (project.rendered[rel] !== undefined && project.rendered[rel] !== sha256(bytes)) {
          stale.push(`${GENERATED_DIR}/${rel}`);
          continue;
        }
        const slug = platformSlug(platform);
        const outDir = join(buildDir, spec.release, spec.image, slug, route);
        const primary = route === routes[0] && native.has(platform.basearch) && platform.basearch === host;
        jobs.push({
          key: `${spec.id} ${route} ${platform.name}`,
          label: `${spec.id} ${route}${o.platform.length ? ` ${platform.name}` : ''}`,
          spec,
          route,
          platform,
          native: native.has(platform.basearch),
          generatedRel: `${GENERATED_DIR}/${rel}`,
          generatedPath: abs,
          generatedBytes: bytes,
          outDir,
          workDir: join(outDir, 'work'),
          logFile: join(outDir, 'build.log'),
          manifestFile: join(outDir, 'manifest.txt'),
          resultFile: join(outDir, 'result.json'),
          localTag: `localhost/almac/${spec.release}-${spec.image}:${route}-${slug}`,
          namingTags: primary ? spec.naming.tags.map((t) => `${spec.naming.repository}:${t.replace(/\{date\}/g, date)}`) : [],
          sysbaseRef: o.sysbase ?? spec.builder,
          repoOptions,
          network: repoOptions.length && repoOptions.every((r) => r.kind === 'dir') ? 'none' : 'host',
          verifyHash: sha256(JSON.stringify(spec.assertions) + (o.locked ? lockText(o.root, spec, platform) : '')),
          ...(o.locked ? { lockFile: join(o.root, GENERATED_DIR, lockPath(spec, platform)) } : {}),
          status: 'pending',
          assertions: [],
        });
      }
    }
  }
  if (stale.length) {
    io.err.write(`error: generated/ does not match the definitions, so it would not build what they say:\n${stale.map((s) => `  ${s}`).join('\n')}\nRun \`almac generate\` (and commit the result).\n`);
    return EXIT_CODES.failed;
  }
  if (!jobs.length) {
    for (const n of notes) io.err.write(`note: ${n}\n`);
    throw new UsageError('nothing to build for this host and these options');
  }
  // a remote --repo needs a GPG key from the definition: fail before anything runs
  for (const j of jobs) for (const r of j.repoOptions) gpgFor(r, j.spec, o.noGpgcheck);
  for (const j of jobs) {
    if (j.platform.basearch !== host && j.route === 'kickstart') throw new UsageError(`${j.spec.id}: the kickstart route builds only for this host's architecture (${host}), not ${j.platform.name}`);
    if (!j.native && !existsSync(`/proc/sys/fs/binfmt_misc/qemu-${j.platform.basearch}`)) {
      throw new EnvironmentError(`${j.spec.id}: building ${j.platform.name} on ${host} needs user-mode emulation, and no binfmt handler for ${j.platform.basearch} is registered (install qemu-user-static / qemu-user-binfmt)`);
    }
  }
  const ksExecutor: 'livemedia-creator' | 'almac' = o.ksExecutor === 'auto' ? (findOnPath('livemedia-creator') ? 'livemedia-creator' : 'almac') : o.ksExecutor;

  // 3. engine, lock, what exists
  const engine = await openEngine({ ...(o.engine ? { name: o.engine } : {}), store: storeDir, write: !o.dryRun });
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
    return await runLocked();
  } finally {
    releaseLocks();
  }

  async function runLocked(): Promise<number> {
    let images: ImageRecord[] = [];
    // --dry-run writes nothing: a store that does not exist yet is read as empty
    const hermetic = engine.envVars['CONTAINERS_CONF'];
    const canList = !o.dryRun || !hermetic || existsSync(hermetic);
    if (canList) {
      try {
        images = await engine.listImages();
      } catch (e) {
        throw new EnvironmentError(`cannot list the images of ${engine.name}${engine.name === 'docker' ? ' (is the docker daemon running and reachable?)' : ''}: ${(e as Error).message}`);
      }
    }
    const state = loadState(buildDir);
    const inputsOf = (j: Job, sysbaseId: string): string =>
      sha256(JSON.stringify({
        v: RUNNER_VERSION,
        route: j.route,
        generated: sha256(j.generatedBytes),
        repos: j.repoOptions.map((r) => ({ name: r.name, where: r.dir ?? r.url, gpg: gpgFor(r, j.spec, o.noGpgcheck) })),
        sysbase: sysbaseId,
        engine: engine.name,
        platform: j.platform.name,
        ...(j.route === 'kickstart' ? { config: j.spec.config, executor: ksExecutor } : {}),
      }));

    // 4. what can be skipped
    const toRun: Job[] = [];
    const reverify: Job[] = [];
    for (const j of jobs) {
      const prev = findImage(images, j.localTag);
      if (prev) j.previousImageId = prev.id;
      const sys = findImage(images, j.sysbaseRef);
      const rec = state.builds[j.key];
      if (sys) j.inputs = inputsOf(j, sys.id);
      const img = rec ? images.find((i) => i.id === rec.imageId) : undefined;
      if (!o.force && rec && j.inputs && rec.inputs === j.inputs && img && img.names.includes(qualify(j.localTag))) {
        j.imageId = rec.imageId;
        j.size = rec.size;
        j.packages = rec.packages;
        if (rec.verify === j.verifyHash) j.status = 'skipped';
        else reverify.push(j);
      } else {
        toRun.push(j);
      }
    }

    const print = (s: string): void => void io.out.write(s + '\n');
    const controller = new AbortController();
    const shared: Shared = { engine, images, buildDir, pulls: new Map(), derived: new Map(), derivedUsed: new Set(), dryRun: o.dryRun, print, signal: controller.signal };
    const urlRepos = repoOptions.filter((r) => r.kind === 'url');
    if (urlRepos.length && (toRun.length || reverify.length)) {
      shared.server = new RepoServer(urlRepos.map((r) => ({ name: r.name, upstream: r.url! })), join(buildDir, 'cache', `packages-${process.pid}`));
    }

    if (o.dryRun) return dryRun(o, engine, shared, jobs, toRun, reverify, notes, io);

    const reporter: Reporter = o.json || !io.err.isTTY ? new PlainReporter(io.err) : new TtyReporter(io.err, io.color);
    for (const n of notes) reporter.message(`note: ${n}`);
    for (const j of jobs) reporter.add(j.key, j.label);
    for (const j of jobs) if (j.status === 'skipped') reporter.finish(j.key, 'skipped', 'unchanged');

    // interruption: stop everything, clean up synchronously, exit
    const before = engine.store || engine.name === 'docker' || !(toRun.length + reverify.length) ? undefined : workingContainersSync(engine);
    const cleanupStore = (): void => {
      waitForProcessesGone([buildDir, ...(engine.store ? [engine.store.stateDir] : [])], engine.store?.graphRoot, 5000);
      // almac's own store holds only this run's builds (see the lock): all of its working containers go
      if (engine.store) cleanupAfterBuildSync({ env: engine.env, tmpDir: engine.store.tmpDir });
      // the engine's system store: only the working containers that appeared during this run
      else if (before) removeWorkingContainersSync(engine, [...workingContainersSync(engine)].filter((c) => !before.has(c)));
    };
    let interrupted: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (interrupted) return;
      interrupted = sig;
      controller.abort();
      interruptChildren();
      cleanupStore();
      releaseLocks();
      reporter.close();
      const running = jobs.filter((j) => j.status === 'pending').length;
      writeSync(2, `\nalmac build: interrupted by ${sig}; stopped ${running} unfinished build${running === 1 ? '' : 's'} and removed their containers and mounts\n`);
      process.exit(sig === 'SIGINT' ? 130 : sig === 'SIGTERM' ? 143 : 129);
    };
    const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of SIGNALS) process.on(s, onSignal);
    const t0 = Date.now();
    try {
      // skipped builds: make sure today's naming tags exist (e.g. a new {date})
      for (const j of jobs.filter((x) => x.status === 'skipped' && x.namingTags.length)) {
        const missing = j.namingTags.filter((t) => !images.some((i) => i.names.includes(qualify(t))));
        for (const a of engine.tagArgs(j.imageId!, missing)) await engine.checked(a);
      }
      const writeResult = (j: Job): void => {
        try {
          if (existsSync(j.outDir)) writeFileSync(j.resultFile, JSON.stringify(jobJson(j, relative(buildDir, j.outDir)), null, 2) + '\n');
        } catch {
          // the summary still has it
        }
      };
      await schedule([...reverify, ...toRun], jobsN, o.keepGoing, controller, async (j) => {
        const ok = await runOne(j);
        writeResult(j);
        return ok;
      });
      async function runOne(j: Job): Promise<boolean> {
        reporter.start(j.key);
        const started = Date.now();
        const ctx = new JobContext(j, engine, controller.signal, false, (t) => reporter.step(j.key, t), print);
        try {
          await runJob(j, ctx, shared, state, inputsOf, ksExecutor, o.noGpgcheck, reverify.includes(j));
        } catch (e) {
          j.durationMs = Date.now() - started;
          if (e instanceof CancelledError || controller.signal.aborted) {
            j.status = 'cancelled';
            reporter.finish(j.key, 'cancelled');
            return false;
          }
          j.status = 'failed';
          j.error = e instanceof StepError || e instanceof EnvironmentError || e instanceof EngineCommandError ? e.message : `${(e as Error).message}`;
          if (e instanceof EnvironmentError) j.environmentError = true;
          try {
            ctx.log(`\n## FAILED: ${j.error}`);
          } catch {
            // the log may be unwritable
          }
          reporter.finish(j.key, 'failed', j.phase ?? '');
          reporter.message(failureText(j, io.color));
          return false;
        }
        j.durationMs = Date.now() - started;
        const bad = j.assertions.filter((a) => !a.ok);
        if (bad.length) {
          j.status = 'failed';
          j.error = `${bad.length} assertion${bad.length === 1 ? '' : 's'} failed`;
          reporter.finish(j.key, 'failed', j.error);
          reporter.message(failureText(j, io.color));
          return false;
        }
        reporter.finish(j.key, 'done', `${formatSize(j.size)}, ${j.packages ?? 'no'} packages`);
        return true;
      }
      if (controller.signal.aborted) cleanupStore(); // fail-fast killed the others: remove what they left
      if (toRun.length) await pruneCreated(shared, state);
    } finally {
      for (const s of SIGNALS) process.off(s, onSignal);
      reporter.close();
      if (shared.server) await shared.server.stop();
      await pruneSupersededBuilders(shared);
    }
    const elapsed = Date.now() - t0;
    if (o.json) printJsonResult(io, jobs, engine, shared, buildDir, notes, elapsed);
    else printSummary(io, jobs, engine, shared, buildDir, root, elapsed);
    if (jobs.some((j) => j.status === 'failed' && j.environmentError)) return EXIT_CODES.environment;
    return jobs.some((j) => j.status === 'failed' || j.status === 'cancelled') ? EXIT_CODES.failed : EXIT_CODES.ok;
  }
}

async function printDiags(ds: Diagnostic[], sources: Map<string, string>, json: boolean): Promise<void> {
  const { printDiagnostics, printJson, diagnosticsJson } = await import('../cli/io.js');
  if (json) printJson({ ok: false, diagnostics: diagnosticsJson(ds) });
  else printDiagnostics(ds, sources);
}

/** Working (build) containers of the engine's store, by id. */
function workingContainersSync(engine: EngineAdapter): Set<string> {
  const r = findOnPath('buildah', engine.env['PATH'])
    ? spawnSync('buildah', ['containers', '-q', '--notruncate'], { env: engine.env, encoding: 'utf8', timeout: 30_000 })
    : spawnSync(engine.bin, ['ps', '-a', '--external', '--no-trunc', '--format', '{{.ID}}'], { env: engine.env, encoding: 'utf8', timeout: 30_000 });
  return new Set((r.stdout ?? '').split('\n').map((x) => x.trim()).filter(Boolean));
}

function removeWorkingContainersSync(engine: EngineAdapter, ids: string[]): void {
  if (!ids.length) return;
  if (findOnPath('buildah', engine.env['PATH'])) spawnSync('buildah', ['rm', ...ids], { env: engine.env, stdio: 'ignore', timeout: 60_000 });
  else spawnSync(engine.bin, ['rm', '-f', ...ids], { env: engine.env, stdio: 'ignore', timeout: 60_000 });
}

/**
 * Polls (synchronously: we are in a signal handler) until the killed builds' processes are gone — those
 * running inside the store (container roots) and engine/tool processes naming the store or build
 * directory — so that their overlay mounts can be removed. At most `ms`.
 */
function waitForProcessesGone(dirs: string[], graphRoot: string | undefined, ms: number): void {
  const end = Date.now() + ms;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const tools = new Set(['podman', 'buildah', 'conmon', 'runc', 'unshare', 'dnf', 'rpm', 'tar', 'chroot', 'sh', 'livemedia-creator']);
  for (;;) {
    let busy = false;
    try {
      for (const p of readdirSync('/proc')) {
        if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
        try {
          if (graphRoot) {
            let root = '';
            try {
              root = readlinkSync(`/proc/${p}/root`);
            } catch {
              // not ours to read
            }
            if (root.startsWith(graphRoot + '/')) {
              busy = true;
              break;
            }
          }
          const comm = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
          if (!tools.has(comm)) continue;
          const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
          if (dirs.some((d) => cmd.includes(d))) {
            busy = true;
            break;
          }
        } catch {
          // gone
        }
      }
    } catch {
      return;
    }
    if (!busy || Date.now() > end) return;
    Atomics.wait(sleeper, 0, 0, 50);
  }
}

// --- scheduling -------------------------------------------------------------------------------------

/** Runs `fn` over `items`, `n` at a time. Without keepGoing the first failure aborts the others. */
async function schedule<T>(items: T[], n: number, keepGoing: boolean, controller: AbortController, fn: (t: T) => Promise<boolean>): Promise<void> {
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

// --- one build --------------------------------------------------------------------------------------

async function runJob(
  j: Job,
  ctx: JobContext,
  shared: Shared,
  state: StateFile,
  inputsOf: (j: Job, sysbaseId: string) => string,
  ksExecutor: 'livemedia-creator' | 'almac',
  noGpgcheck: boolean,
  reverifyOnly: boolean,
): Promise<void> {
  const { engine } = shared;
  const started = Date.now();
  if (!ctx.dryRun) {
    mkdirSync(j.outDir, { recursive: true });
    writeFileSync(j.logFile, `# almac build ${j.spec.id} via ${j.route} for ${j.platform.name}, ${new Date().toISOString()}\n`);
  }
  if (!reverifyOnly) {
    j.phase = 'prepare';
    const sysbaseId = await ensureSysbase(j.sysbaseRef, shared, ctx);
    j.inputs = inputsOf(j, sysbaseId);
    const { builderRef, hostRepos } = await prepareRepos(j, sysbaseId, shared, ctx, noGpgcheck);
    j.phase = 'build';
    if (j.route === 'containerfile') {
      const intermediates: string[] = [];
      try {
        j.imageId = await buildViaContainerfile(ctx, { builderRef, contextDir: join(shared.buildDir, 'context'), intermediates });
      } finally {
        if (intermediates.length && !ctx.dryRun) await removeIntermediates(shared, intermediates, j.imageId, ctx);
      }
    } else {
      j.executor = ksExecutor;
      j.imageId = await buildViaKickstart(ctx, { builderRef, repos: hostRepos, executor: ksExecutor });
    }
    if (ctx.dryRun) return;
    ctx.log(`# image ${j.imageId} tagged ${j.localTag}`);
    state.created = [...new Set([...(state.created ?? []), j.imageId])].slice(-500);
    saveState(shared.buildDir, state);
    await prune(shared, [j.previousImageId], j.imageId, ctx);
  }
  j.phase = 'verify';
  await verifyJob(j, ctx, shared);
  const ok = j.assertions.every((a) => a.ok);
  if (ok && j.namingTags.length) {
    j.phase = 'tag';
    ctx.step('tag');
    const before = await engine.listImages().catch(() => [] as ImageRecord[]);
    const holders = j.namingTags.map((t) => findImage(before, t)?.id).filter((x): x is string => !!x && x !== j.imageId);
    for (const a of engine.tagArgs(j.imageId!, j.namingTags)) await ctx.engineCmd(a, { what: `${engine.name} tag` });
    await prune(shared, holders, j.imageId!, ctx);
  }
  j.phase = undefined;
  if (ok) {
    state.builds[j.key] = {
      inputs: j.inputs!,
      verify: j.verifyHash,
      imageId: j.imageId!,
      localTag: j.localTag,
      tags: j.namingTags,
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      size: j.size ?? 0,
      packages: j.packages ?? null,
      engine: engine.name,
    };
    j.status = reverifyOnly ? 'verified' : 'built';
  } else {
    delete state.builds[j.key];
  }
  saveState(shared.buildDir, state);
}

/** The SYSBASE image id, pulled once per run when it is not in the store. */
function ensureSysbase(ref: string, shared: Shared, ctx: JobContext): Promise<string> {
  const known = findImage(shared.images, ref);
  if (known) return Promise.resolve(known.id);
  let p = shared.pulls.get(ref);
  if (!p) {
    p = (async () => {
      ctx.step(`pull ${ref}`);
      const r = await ctx.engineCmd(shared.engine.pullArgs(ref), { allowFailure: true });
      if (ctx.dryRun) return '$SYSBASE_ID';
      if (r.code !== 0) {
        throw new EnvironmentError(`the builder image ${ref} is not in the store and cannot be pulled: ${r.stderr.trim().split('\n').slice(-2).join(' ')}\n  (offline? build or load a builder image and pass --sysbase IMAGE)`);
      }
      const id = findImage(await shared.engine.listImages(), ref)?.id;
      if (!id) throw new EnvironmentError(`${ref} was pulled but is not listed by ${shared.engine.name}`);
      return id;
    })();
    shared.pulls.set(ref, p);
  }
  return p;
}

/**
 * The builder image and the host's view of the repositories for a build: without --repo, SYSBASE and
 * the committed files' own repositories; with --repo, a derived builder (built once per run and
 * content) and the same repositories for the kickstart executor's host dnf.
 */
async function prepareRepos(j: Job, sysbaseId: string, shared: Shared, ctx: JobContext, noGpgcheck: boolean): Promise<{ builderRef: string; hostRepos: ResolvedRepo[] | undefined }> {
  if (!j.repoOptions.length) return { builderRef: sysbaseId.startsWith('$') ? j.sysbaseRef : sysbaseId, hostRepos: undefined };
  if (shared.server && !ctx.dryRun) await shared.server.start();
  const served = (r: RepoOption): string => shared.server!.localUrl(r.name);
  const inBuilder: ResolvedRepo[] = j.repoOptions.map((r) => ({ name: r.name, baseurl: r.kind === 'dir' ? builderRepoPath(r.name) : served(r), ...gpgFor(r, j.spec, noGpgcheck) }));
  const onHost: ResolvedRepo[] = j.repoOptions.map((r) => ({ name: r.name, baseurl: r.kind === 'dir' ? `file://${r.dir}/` : served(r), ...gpgFor(r, j.spec, noGpgcheck) }));
  const d: DerivedBuilderSpec = {
    sysbaseRef: j.sysbaseRef,
    sysbaseId: sysbaseId.startsWith('$') ? '' : sysbaseId,
    repos: inBuilder,
    localDirs: Object.fromEntries(j.repoOptions.filter((r) => r.kind === 'dir').map((r) => [r.name, r.dir!])),
  };
  const familyKey = sha256(JSON.stringify({ base: j.sysbaseRef, repos: j.repoOptions.map((r) => [r.name, r.dir ?? r.url]) })).slice(0, 8);
  const tag = `localhost/almac/builder:${familyKey}-${derivedBuilderHash(d).slice(0, 12)}`;
  shared.derivedUsed.add(tag);
  let p = shared.derived.get(tag);
  if (!p) {
    p = deriveBuilder(d, tag, shared, ctx);
    shared.derived.set(tag, p);
  }
  await p;
  return { builderRef: tag, hostRepos: onHost };
}

async function deriveBuilder(d: DerivedBuilderSpec, tag: string, shared: Shared, ctx: JobContext): Promise<string> {
  if (findImage(shared.images, tag)) return tag;
  ctx.step(`derive builder from ${d.sysbaseRef} with ${d.repos.map((r) => r.name).join(', ')}`);
  const ctxDir = join(shared.buildDir, 'derived', tag.split(':')[1]!);
  if (!ctx.dryRun) rmSync(ctxDir, { recursive: true, force: true });
  ctx.writeFile(join(ctxDir, 'almac.repo'), renderRepoFile(d.repos));
  for (const [name, dir] of Object.entries(d.localDirs)) {
    if (ctx.dryRun) shared.print(`mkdir -p ${formatArgv([join(ctxDir, 'repos')])} && cp -a ${formatArgv([dir, join(ctxDir, 'repos', name)])}`);
    else cpSync(dir, join(ctxDir, 'repos', name), { recursive: true, verbatimSymlinks: true });
  }
  const cf = join(ctxDir, 'Containerfile');
  ctx.writeFile(cf, renderDerivedContainerfile(d, { 'org.almac.derived-from': d.sysbaseRef, 'org.almac.repos': d.repos.map((r) => `${r.name}=${r.baseurl}`).join(' ') }));
  try {
    await ctx.engineCmd(
      shared.engine.buildArgs({ containerfile: cf, contextDir: ctxDir, tag, network: 'none', pull: 'never', layers: false }, join(ctxDir, 'image-id')),
      { killSafe: shared.engine.killSafe, what: `building the derived builder ${tag}` },
    );
  } catch (e) {
    if (e instanceof StepError) throw new EnvironmentError(`${e.message} (SYSBASE ${d.sysbaseRef}; see ${ctx.job.logFile})`);
    throw e;
  } finally {
    if (!ctx.dryRun) rmSync(ctxDir, { recursive: true, force: true });
  }
  return tag;
}

/** Removes images among `ids` that have no name left (superseded builds), never `keep`. Housekeeping: never fails. */
async function prune(shared: Shared, ids: (string | undefined)[], keep: string, ctx?: JobContext): Promise<void> {
  try {
    await pruneNow(shared, ids, keep, ctx);
  } catch (e) {
    ctx?.log(`# could not remove superseded images: ${(e as Error).message}`);
  }
}

async function pruneNow(shared: Shared, ids: (string | undefined)[], keep: string, ctx?: JobContext): Promise<void> {
  const cands = [...new Set(ids.filter((x): x is string => !!x && x !== keep))];
  if (!cands.length) return;
  const now = await shared.engine.listImages();
  const dangling = cands.filter((id) => now.some((i) => i.id === id && i.names.length === 0));
  if (!dangling.length) return;
  const r = await shared.engine.exec(shared.engine.rmiArgs(dangling));
  ctx?.log(`# removed superseded image${dangling.length === 1 ? '' : 's'} ${dangling.map((d) => d.slice(0, 12)).join(' ')}${r.code === 0 ? '' : ` (failed: ${r.stderr.trim()})`}`);
}

/** docker (legacy builder): the step images the build printed, newest first, where nothing names them. */
async function removeIntermediates(shared: Shared, ids: string[], keep: string | undefined, ctx: JobContext): Promise<void> {
  let now: ImageRecord[];
  try {
    now = await shared.engine.listImages();
  } catch (e) {
    ctx.log(`# could not remove the docker build's intermediate images: ${(e as Error).message}`);
    return;
  }
  const full = ids
    .map((short) => now.find((i) => i.id.startsWith(short)))
    .filter((i): i is ImageRecord => !!i && i.names.length === 0 && i.id !== keep)
    .map((i) => i.id)
    .reverse();
  for (const id of full) await shared.engine.exec(shared.engine.rmiArgs([id])); // children before parents; failures are harmless
  if (full.length) ctx.log(`# removed ${full.length} intermediate image${full.length === 1 ? '' : 's'} of the docker build`);
}

/** Images this build directory created that have lost every name (see StateFile.created). */
async function pruneCreated(shared: Shared, state: StateFile): Promise<void> {
  if (!state.created?.length) return;
  try {
    const now = await shared.engine.listImages();
    const exists = new Map(now.map((i) => [i.id, i]));
    const dangling = state.created.filter((id) => exists.get(id)?.names.length === 0);
    if (dangling.length) await shared.engine.exec(shared.engine.rmiArgs(dangling));
    const after = dangling.length ? new Set((await shared.engine.listImages()).map((i) => i.id)) : new Set(exists.keys());
    state.created = state.created.filter((id) => after.has(id));
    saveState(shared.buildDir, state);
  } catch {
    // only housekeeping
  }
}

/** Derived builders of the same SYSBASE + repositories that this run replaced. */
async function pruneSupersededBuilders(shared: Shared): Promise<void> {
  if (shared.dryRun || !shared.derivedUsed.size) return;
  try {
    const families = new Set([...shared.derivedUsed].map((t) => t.split(':')[1]!.split('-')[0]!));
    const now = await shared.engine.listImages();
    const old = now.flatMap((i) => i.names).filter((n) => {
      const m = /^localhost\/almac\/builder:([0-9a-f]{8})-[0-9a-f]{12}$/.exec(n);
      return m && families.has(m[1]!) && !shared.derivedUsed.has(n);
    });
    if (old.length) await shared.engine.exec(shared.engine.rmiArgs(old));
  } catch {
    // only housekeeping
  }
}

// --- verification -----------------------------------------------------------------------------------

async function verifyJob(j: Job, ctx: JobContext, shared: Shared): Promise<void> {
  const { engine } = shared;
  const id = j.imageId!;
  ctx.step('verify: package manifest');
  const info = await engine.inspect(id);
  j.size = info.size;
  const scratch = join(j.workDir, 'verify');
  mkdirSync(scratch, { recursive: true });
  const root = await engine.mountRoot(id, scratch);
  const unregister = onInterrupt(() => root.releaseSync());
  let staticResults: AssertionResult[];
  try {
    const m = await readManifest(root.path, scratch, ctx.signal);
    j.packages = m.packages ? m.packages.length : null;
    writeFileSync(j.manifestFile, renderManifest(j.spec.id, m));
    ctx.log(`# manifest: ${m.packages ? `${m.packages.length} packages` : m.note} → ${j.manifestFile}`);
    staticResults = checkStaticAssertions(j.spec, root.path, m);
    if (j.lockFile) staticResults.push(checkLock(j, m.packages));
  } finally {
    await root.release();
    unregister();
  }
  ctx.checkCancelled();
  const nCmd = j.spec.assertions.filter((a) => a.assertion.kind.startsWith('command-')).length;
  if (nCmd) ctx.step(`verify: ${nCmd} command${nCmd === 1 ? '' : 's'} in the image`);
  const cmdResults = await checkCommandAssertions(j.spec, async (argv) => {
    const r = await engine.runContainer(id, argv, { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal, logFile: j.logFile });
    if (r.aborted) throw new CancelledError();
    return r;
  });
  // in the definition's order
  const byName = new Map<string, AssertionResult[]>();
  for (const r of [...staticResults, ...cmdResults]) byName.set(r.name + r.origin, [...(byName.get(r.name + r.origin) ?? []), r]);
  j.assertions = j.spec.assertions.map((a) => byName.get(a.name + `${a.origin.file}:${a.origin.line}`)!.shift()!);
  const lockResult = staticResults.find((r) => r.kind === 'lock');
  if (lockResult) j.assertions.push(lockResult);
  for (const a of j.assertions) ctx.log(`# assertion ${a.ok ? 'ok    ' : 'FAILED'} ${a.name} (${a.origin})${a.detail ? `: ${a.detail}` : ''}`);
  rmSync(scratch, { recursive: true, force: true });
  try {
    rmdirSync(j.workDir); // empty by now unless a step kept something for inspection
  } catch {
    // not empty
  }
}

/** --locked: the built image's packages against generated/locks/<release>-<image>-<arch>.lock.json. */
function checkLock(j: Job, packages: string[] | null): AssertionResult {
  const rel = relative(dirname(dirname(j.lockFile!)), j.lockFile!);
  const base = { name: `matches the lock ${GENERATED_DIR}/${rel}`, kind: 'lock', origin: `${GENERATED_DIR}/${rel}` };
  const lock = existsSync(j.lockFile!) ? parseLock(readFileSync(j.lockFile!, 'utf8')) : undefined;
  if (!lock) return { ...base, ok: false, detail: `no valid lock file; run \`almac lock ${j.spec.id}\`` };
  if (lock.definitionHash !== definitionHash(j.spec, j.platform)) return { ...base, ok: false, detail: `the lock is stale (the definition changed); run \`almac lock ${j.spec.id}\`` };
  if (packages === null) return { ...base, ok: false, detail: 'the image has no rpm database to compare with the lock' };
  const c = compareWithLock(lock.packages, packages);
  return { ...base, ok: c.ok, ...(c.ok ? {} : { detail: describeComparison(c) }) };
}

function lockText(root: string, spec: ImageSpec, platform: PlatformInfo): string {
  try {
    return readFileSync(join(root, GENERATED_DIR, lockPath(spec, platform)), 'utf8');
  } catch {
    return '';
  }
}

// --- output -----------------------------------------------------------------------------------------

export function formatSize(n: number | undefined): string {
  if (n === undefined) return '';
  if (n < 1000) return `${n} B`;
  const u = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < u.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${u[i]}`;
}

function failureText(j: Job, color: boolean): string {
  const red = (s: string): string => (color ? `\u001b[31m${s}\u001b[0m` : s);
  const lines = [red(`✗ ${j.spec.id} via ${j.route} (${j.platform.name}) failed${j.phase ? ` during ${j.phase}` : ''}: ${j.error ?? ''}`)];
  for (const a of j.assertions.filter((x) => !x.ok)) lines.push(`    assertion failed: ${a.name}${a.detail ? ` — ${a.detail}` : ''}  (${a.origin})`);
  if (!j.assertions.some((a) => !a.ok)) {
    try {
      const tail = readFileSync(j.logFile, 'utf8').trimEnd().split('\n').slice(-25);
      lines.push(`    last lines of the log:`, ...tail.map((l) => `    | ${l}`));
    } catch {
      // no log
    }
  }
  lines.push(`    full log: ${j.logFile}`);
  return lines.join('\n');
}

function statusText(j: Job): string {
  switch (j.status) {
    case 'built':
      return 'built';
    case 'skipped':
      return 'unchanged';
    case 'verified':
      return 're-verified';
    case 'failed':
      return `FAILED${j.phase ? ` (${j.phase})` : j.error?.includes('assertion') ? ' (assertions)' : ''}`;
    case 'cancelled':
      return 'cancelled';
    default:
      return 'not run';
  }
}

function printSummary(io: Io, jobs: Job[], engine: EngineAdapter, shared: Shared, buildDir: string, root: string, elapsed: number): void {
  const multiPlat = new Set(jobs.map((j) => j.platform.name)).size > 1;
  const head = ['IMAGE', 'ROUTE', ...(multiPlat ? ['PLATFORM'] : []), 'STATUS', 'DURATION', 'SIZE', 'PACKAGES'];
  const rows = jobs.map((j) => [
    j.spec.id,
    j.route,
    ...(multiPlat ? [j.platform.name] : []),
    statusText(j),
    j.durationMs !== undefined ? formatDuration(j.durationMs) : '-',
    formatSize(j.size) || '-',
    j.packages === undefined ? '-' : j.packages === null ? 'no rpmdb' : String(j.packages),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = new Set([head.length - 3, head.length - 2, head.length - 1]);
  const fmt = (r: string[]): string => r.map((x, i) => (right.has(i) ? x.padStart(w[i]!) : x.padEnd(w[i]!))).join('  ').trimEnd();
  const out: string[] = ['', fmt(head), ...rows.map(fmt)];
  const failedAssertions = jobs.flatMap((j) => j.assertions.filter((a) => !a.ok).map((a) => ({ j, a })));
  if (failedAssertions.length) {
    out.push('', 'Failed assertions:');
    for (const { j, a } of failedAssertions) out.push(`  ${j.spec.id} (${j.route}): ${a.name} — ${a.detail ?? 'failed'}  [${a.origin}]`);
  }
  const n = (s: Job['status']): number => jobs.filter((j) => j.status === s).length;
  const parts = [n('built') && `${n('built')} built`, n('verified') && `${n('verified')} re-verified`, n('skipped') && `${n('skipped')} unchanged`, n('failed') && `${n('failed')} failed`, n('cancelled') && `${n('cancelled')} cancelled`].filter(Boolean);
  out.push('', `${parts.join(', ')} in ${formatDuration(elapsed)}.`);
  if (shared.server) {
    const s = shared.server.stats;
    out.push(`Package cache: ${s.upstreamFetches} file${s.upstreamFetches === 1 ? '' : 's'} fetched from mirrors (${s.upstreamRpmFetches} packages), ${s.cacheHits} served again from the cache.`);
  }
  const rel = (p: string): string => (p.startsWith(root + '/') ? relative(root, p) : p);
  out.push(`Logs and package manifests: ${rel(buildDir)}/<release>/<image>/<platform>/<route>/`);
  if (engine.store) out.push(`Images are in almac's ${engine.name} store; to use them: . ${rel(join(engine.store.stateDir, 'env.sh'))} && ${engine.name} images`);
  io.out.write(out.join('\n') + '\n');
}

function jobJson(j: Job, outRel?: string): Record<string, unknown> {
  return {
    image: j.spec.id,
    route: j.route,
    platform: j.platform.name,
    status: j.status === 'pending' ? 'not-run' : j.status,
    ...(j.executor ? { executor: j.executor } : {}),
    durationMs: j.durationMs ?? null,
    imageId: j.imageId ?? null,
    localTag: j.localTag,
    tags: j.status === 'failed' ? [] : j.namingTags,
    size: j.size ?? null,
    packages: j.packages ?? null,
    manifest: j.manifestFile,
    log: j.logFile,
    ...(outRel ? { outputDir: outRel } : {}),
    ...(j.error ? { error: j.error } : {}),
    ...(j.phase && j.status === 'failed' ? { failedDuring: j.phase } : {}),
    assertions: j.assertions,
  };
}

function printJsonResult(io: Io, jobs: Job[], engine: EngineAdapter, shared: Shared, buildDir: string, notes: string[], elapsed: number): void {
  const v = {
    ok: jobs.every((j) => j.status !== 'failed' && j.status !== 'cancelled'),
    engine: engine.name,
    store: engine.store?.stateDir ?? null,
    buildDir,
    durationMs: elapsed,
    notes,
    builds: jobs.map((j) => jobJson(j)),
    ...(shared.server ? { packageCache: shared.server.stats } : {}),
  };
  io.out.write(JSON.stringify(v, null, 2) + '\n');
}

// --- dry run ----------------------------------------------------------------------------------------

async function dryRun(o: BuildCommandOptions, engine: EngineAdapter, shared: Shared, jobs: Job[], toRun: Job[], reverify: Job[], notes: string[], io: Io): Promise<number> {
  const p = shared.print;
  p('#!/bin/sh');
  p('# almac build --dry-run: the commands the build would run. Nothing was run.');
  p('set -eu');
  for (const [k, v] of Object.entries(engine.envVars)) p(`export ${k}=${formatArgv([v])}`);
  for (const n of notes) p(`# note: ${n}`);
  if (shared.server) p(`# ${shared.server && 'http(s) repositories are fetched through almac\'s package cache on'} ${shared.server.address} (a port is chosen at run time)`);
  const state = loadState(shared.buildDir);
  for (const j of jobs) {
    p('');
    p(`# === ${j.spec.id} via ${j.route} (${j.platform.name})`);
    if (j.status === 'skipped') {
      p(`# unchanged since ${state.builds[j.key]?.finishedAt ?? 'the last build'}; image ${j.imageId?.slice(0, 12)} (${j.localTag}) is kept`);
      continue;
    }
    if (reverify.includes(j)) {
      p(`# unchanged image ${j.imageId?.slice(0, 12)}; its assertions changed: it would be verified again`);
      continue;
    }
    const ctx = new JobContext(j, engine, shared.signal, true, () => {}, p);
    try {
      const sysbaseId = await ensureSysbase(j.sysbaseRef, shared, ctx);
      const { builderRef, hostRepos } = await prepareRepos(j, sysbaseId, shared, ctx, o.noGpgcheck);
      if (j.route === 'containerfile') await buildViaContainerfile(ctx, { builderRef, contextDir: join(shared.buildDir, 'context') });
      else await buildViaKickstart(ctx, { builderRef, repos: hostRepos, executor: o.ksExecutor === 'auto' ? (findOnPath('livemedia-creator') ? 'livemedia-creator' : 'almac') : o.ksExecutor });
    } catch (e) {
      p(`# cannot plan this build: ${(e as Error).message}`);
    }
    const nA = j.spec.assertions.length;
    p(`# then: package manifest (rpm -qa from the mounted image) → ${j.manifestFile}; ${nA} assertion${nA === 1 ? '' : 's'}${j.namingTags.length ? `; tags ${j.namingTags.join(' ')}` : ''}`);
  }
  const n = toRun.length + reverify.length;
  io.err.write(`dry run: ${n} of ${jobs.length} build${jobs.length === 1 ? '' : 's'} would run; nothing was run\n`);
  return EXIT_CODES.ok;
}
