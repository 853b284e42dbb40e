// One build, start to end: the builder image (SYSBASE of the build's platform, sysbase.ts; or the
// builder derived from it for --repo, per platform), the route, the state record, verification,
// naming tags.
import { mkdirSync, writeFileSync } from 'node:fs';
import { copySync, removeSync } from '../files.js';
import { join } from 'node:path';
import { CommandError, EnvironmentError, findImage, formatArgv, type ImageRecord } from '../engine/index.js';
export { ensureSysbase } from './sysbase.js';
import type { Job, JobContext, JobPlan } from '../job.js';
import {
  builderRepoPath,
  derivedBuilderHash,
  gpgFor,
  renderDerivedContainerfile,
  renderRepoFile,
  type DerivedBuilderSpec,
  type RepoOption,
  type ResolvedRepo,
} from '../repos.js';
import { buildViaContainerfile } from '../routes/containerfile.js';
import { buildViaKickstart } from '../routes/kickstart.js';
import { saveState, sha256 } from '../state.js';
import { prune } from './housekeeping.js';
import { ensureSysbase } from './sysbase.js';
import type { RunContext } from './run-context.js';
import { verifyImage } from './verify-image.js';

/** Adds image ids to StateFile.created, saved at once (a kill may follow). */
function recordCreated(run: RunContext, ids: string[]): void {
  const known = run.state.created ?? [];
  const fresh = ids.filter((id) => !known.includes(id));
  if (!fresh.length) return;
  run.state.created = [...known, ...fresh].slice(-500);
  saveState(run.buildDir, run.state);
}

/** Builds (unless reverifyOnly), verifies and tags one job; records it in the state when it passed. */
export async function executeJob(job: Job, ctx: JobContext, run: RunContext, reverifyOnly: boolean): Promise<void> {
  const { plan: j, result } = job;
  const { engine, state } = run;
  const started = Date.now();
  mkdirSync(j.outDir, { recursive: true });
  writeFileSync(j.logFile, `# almac build ${j.spec.id} via ${j.route} for ${j.platform.name}, ${new Date().toISOString()}\n`);
  if (!reverifyOnly) {
    result.phase = 'prepare';
    const sysbaseId = await ensureSysbase(j, run, ctx);
    result.inputs = run.inputsOf(j, sysbaseId);
    const { builderRef, hostRepos } = await prepareRepos(j, sysbaseId, run, ctx);
    result.phase = 'build';
    // The image that holds the local tag loses it to the new one: recorded first (see StateFile.created).
    if (result.previousImageId) recordCreated(run, [result.previousImageId]);
    result.imageId = await buildRoute(j, ctx, run, builderRef, hostRepos);
    if (j.route === 'kickstart') result.executor = run.ksExecutor;
    ctx.log(`# image ${result.imageId} tagged ${j.localTag}`);
    recordCreated(run, [result.imageId]);
    await prune(run, [result.previousImageId], result.imageId, ctx);
  }
  result.phase = 'verify';
  await verifyImage(job, ctx);
  const ok = result.assertions.every((a) => a.ok);
  if (ok && j.namingTags.length) {
    result.phase = 'tag';
    ctx.step('tag');
    const before = await engine.listImages().catch(() => [] as ImageRecord[]);
    const holders = j.namingTags.map((t) => findImage(before, t)?.id).filter((x): x is string => !!x && x !== result.imageId);
    recordCreated(run, holders);
    await engine.tag(result.imageId!, [...j.namingTags], ctx);
    await prune(run, holders, result.imageId!, ctx);
  }
  delete result.phase;
  if (ok) {
    state.builds[j.key] = {
      inputs: result.inputs!,
      verify: j.verifyHash,
      imageId: result.imageId!,
      localTag: j.localTag,
      tags: [...j.namingTags],
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      size: result.size ?? 0,
      packages: result.packages ?? null,
      engine: engine.name,
    };
    result.status = reverifyOnly ? 'verified' : 'built';
  } else {
    delete state.builds[j.key];
  }
  saveState(run.buildDir, state);
}

/** The route's build (also what --dry-run prints). */
export function buildRoute(j: JobPlan, ctx: JobContext, run: RunContext, builderRef: string, hostRepos: ResolvedRepo[] | undefined): Promise<string> {
  if (j.route === 'containerfile') return buildViaContainerfile(ctx, { builderRef, contextDir: join(run.buildDir, 'context') });
  return buildViaKickstart(ctx, { builderRef, repos: hostRepos, executor: run.ksExecutor });
}

/**
 * The builder image and the host's view of the repositories for a build: without --repo, SYSBASE and
 * the committed files' own repositories; with --repo, a derived builder (built once per run and
 * content) and the same repositories for the kickstart executor's host dnf.
 */
export async function prepareRepos(j: JobPlan, sysbaseId: string, run: RunContext, ctx: JobContext): Promise<{ builderRef: string; hostRepos: ResolvedRepo[] | undefined }> {
  if (!j.repoOptions.length) return { builderRef: sysbaseId.startsWith('$') ? j.sysbaseRef : sysbaseId, hostRepos: undefined };
  if (run.server && !ctx.dryRun) await run.server.start();
  const served = (r: RepoOption): string => run.server!.localUrl(r.name, { releasever: j.spec.releasever, basearch: j.platform.basearch });
  const gpg = (r: RepoOption) => gpgFor(r, j.spec, run.noGpgcheck);
  const inBuilder: ResolvedRepo[] = j.repoOptions.map((r) => ({ name: r.name, baseurl: r.kind === 'dir' ? builderRepoPath(r.name) : served(r), ...gpg(r) }));
  const onHost: ResolvedRepo[] = j.repoOptions.map((r) => ({ name: r.name, baseurl: r.kind === 'dir' ? `file://${r.dir}/` : served(r), ...gpg(r) }));
  const d: DerivedBuilderSpec = {
    platform: j.platform.name,
    sysbaseRef: j.sysbaseRef,
    sysbaseId: sysbaseId.startsWith('$') ? '' : sysbaseId,
    repos: inBuilder,
    localDirs: Object.fromEntries(j.repoOptions.filter((r) => r.kind === 'dir').map((r) => [r.name, r.dir!])),
  };
  const familyKey = sha256(JSON.stringify({ base: j.sysbaseRef, platform: j.platform.name, repos: j.repoOptions.map((r) => [r.name, r.dir ?? r.url]) })).slice(0, 8);
  const tag = `localhost/almac/builder:${familyKey}-${derivedBuilderHash(d).slice(0, 12)}`;
  run.derivedUsed.add(tag);
  let p = run.derived.get(tag);
  if (!p) {
    p = deriveBuilder(d, tag, run, ctx);
    run.derived.set(tag, p);
  }
  await p;
  return { builderRef: tag, hostRepos: onHost };
}

async function deriveBuilder(d: DerivedBuilderSpec, tag: string, run: RunContext, ctx: JobContext): Promise<string> {
  if (findImage(run.images, tag)) return tag;
  ctx.step(`derive builder from ${d.sysbaseRef} (${d.platform}) with ${d.repos.map((r) => r.name).join(', ')}`);
  const ctxDir = join(run.buildDir, 'derived', tag.split(':')[1]!);
  if (!ctx.dryRun) removeSync(ctxDir);
  ctx.writeFile(join(ctxDir, 'almac.repo'), renderRepoFile(d.repos));
  for (const [name, dir] of Object.entries(d.localDirs)) {
    if (ctx.dryRun) ctx.script(`mkdir -p ${formatArgv([join(ctxDir, 'repos')])} && cp -a ${formatArgv([dir, join(ctxDir, 'repos', name)])}`);
    else copySync(dir, join(ctxDir, 'repos', name), { dereference: false });
  }
  const cf = join(ctxDir, 'Containerfile');
  ctx.writeFile(cf, renderDerivedContainerfile(d, { 'org.almac.derived-from': d.sysbaseRef, 'org.almac.repos': d.repos.map((r) => `${r.name}=${r.baseurl}`).join(' ') }));
  try {
    await run.engine.build({ containerfile: cf, contextDir: ctxDir, tag, platform: d.platform, network: 'none', pull: 'never', layers: false, iidFile: join(ctxDir, 'image-id'), what: `building the derived builder ${tag} for ${d.platform}` }, ctx);
  } catch (e) {
    if (e instanceof CommandError) throw new EnvironmentError(`${e.message} (SYSBASE ${d.sysbaseRef}; see ${ctx.job.logFile})`);
    throw e;
  } finally {
    if (!ctx.dryRun) removeSync(ctxDir);
  }
  return tag;
}
