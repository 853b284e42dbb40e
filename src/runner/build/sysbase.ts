// The builder image (the Containerfiles' SYSBASE) of each build, per platform.
//   --sysbase IMAGE            for every platform (default: the definition's builder)
//   --sysbase PLATFORM=IMAGE   for one platform (repeatable), e.g. linux/arm64=localhost/almac-builder:bookworm-arm64
// A build's SYSBASE is identified by image id and architecture, never by its tag: a multi-platform
// builder such as quay.io/almalinuxorg/almalinux:9 is pulled once per platform (`pull --platform`),
// and each pull moves the tag to that platform's image. A builder whose architecture is not the
// build's platform is an error that says which --sysbase to give.
import type { ImageSpec, PlatformInfo } from '../../model/spec.js';
import { didYouMean } from '../../util/suggest.js';
import { EnvironmentError, findImage, UsageError } from '../engine/index.js';
import type { JobContext, JobPlan } from '../job.js';
import { architectureMatches, ociPlatform } from '../platform.js';
import type { RunContext } from './run-context.js';

export interface SysbaseChoice {
  /** --sysbase IMAGE: every platform. */
  all?: string;
  /** --sysbase PLATFORM=IMAGE, in the order given. */
  perPlatform: { platform: string; image: string }[];
}

const PLATFORM_KEY = /^[a-z0-9_]+(\/[a-z0-9_]+){0,2}$/;

/** Parses the --sysbase values (a usage error names the bad one). */
export function parseSysbaseOptions(args: readonly string[]): SysbaseChoice {
  const choice: SysbaseChoice = { perPlatform: [] };
  for (const a of args) {
    const i = a.indexOf('=');
    if (i < 0) {
      if (!a.trim()) throw new UsageError('--sysbase expects IMAGE or PLATFORM=IMAGE, got an empty value');
      if (choice.all !== undefined && choice.all !== a) throw new UsageError(`--sysbase ${a}: a builder for every platform is given twice (${choice.all}); give one, and PLATFORM=IMAGE for the others`);
      choice.all = a;
      continue;
    }
    const platform = a.slice(0, i).toLowerCase();
    const image = a.slice(i + 1);
    if (!PLATFORM_KEY.test(platform) || !image) throw new UsageError(`--sysbase expects IMAGE or PLATFORM=IMAGE (e.g. linux/arm64=localhost/almac-builder:bookworm-arm64), got ${JSON.stringify(a)}`);
    if (choice.perPlatform.some((p) => p.platform === platform)) throw new UsageError(`--sysbase ${platform}= is given twice`);
    choice.perPlatform.push({ platform, image });
  }
  return choice;
}

/** Whether `key` (as given: linux/arm64, arm64, aarch64) names platform `p`. */
export function platformKeyMatches(key: string, p: PlatformInfo): boolean {
  return key === p.name || `linux/${key}` === p.name || key === p.basearch;
}

/** Usage errors for PLATFORM=IMAGE entries that name no declared platform (a typo never goes unnoticed). */
export function checkSysbasePlatforms(choice: SysbaseChoice, declared: readonly PlatformInfo[]): void {
  for (const { platform } of choice.perPlatform) {
    if (!declared.some((p) => platformKeyMatches(platform, p))) {
      const names = [...new Set(declared.map((p) => p.name))];
      const hint = didYouMean(platform, names);
      throw new UsageError(`--sysbase ${platform}=…: no such platform; ${hint ?? `declared: ${names.join(', ')}`}`);
    }
  }
}

/** The SYSBASE reference of a build of `spec` for `p`. */
export function sysbaseFor(choice: SysbaseChoice, spec: ImageSpec, p: PlatformInfo): string {
  return choice.perPlatform.find((x) => platformKeyMatches(x.platform, p))?.image ?? choice.all ?? spec.builder;
}

/** A reference that only a local store can hold (pulling it would look for a registry called localhost). */
function localOnly(ref: string): boolean {
  return /^(localhost\/|[0-9a-f]{64}$|sha256:)/.test(ref);
}

const describeArch = (i: { architecture?: string; os?: string }): string => `${i.os ?? 'linux'}/${i.architecture ?? '?'}`;

function wrongArchitecture(ref: string, found: { architecture?: string; os?: string }, j: JobPlan): EnvironmentError {
  return new EnvironmentError(
    `the builder image ${ref} is ${describeArch(found)}, but ${j.spec.id} is being built for ${j.platform.name}: ` +
      `give a builder of that platform with --sysbase ${j.platform.name}=IMAGE` +
      (localOnly(ref) ? '' : ` (or one whose registry serves ${j.platform.name})`),
  );
}

/**
 * The image id of the build's SYSBASE for its platform: the store's image when its architecture is
 * the platform's, else pulled for the platform (once per run and reference × platform; pulls of one
 * reference are serialised, so each finds its own image before the next moves the tag).
 */
export function ensureSysbase(j: JobPlan, run: RunContext, ctx: JobContext): Promise<string> {
  const ref = j.sysbaseRef;
  const key = `${ref} ${ociPlatform(j.platform.name).architecture}`;
  let p = run.pulls.get(key);
  if (p) return p;
  const before = run.pulls.get(ref) ?? Promise.resolve('');
  p = before.catch(() => '').then(() => resolveSysbase(j, run, ctx));
  run.pulls.set(key, p);
  run.pulls.set(ref, p); // the next platform's resolution of `ref` waits for this one
  return p;
}

async function resolveSysbase(j: JobPlan, run: RunContext, ctx: JobContext): Promise<string> {
  const ref = j.sysbaseRef;
  const { engine } = run;
  const known = findImage(run.images, ref) ?? (ctx.dryRun ? undefined : findImage(await engine.listImages().catch(() => []), ref));
  let local: { id: string; architecture?: string; os?: string } | undefined;
  if (known) {
    const info = ctx.dryRun ? undefined : await engine.inspect(known.id).catch(() => undefined);
    local = { id: known.id, ...(info?.architecture ? { architecture: info.architecture } : {}), ...(info?.os ? { os: info.os } : {}) };
    // an engine that reports no architecture cannot be checked: the store's image is taken as it is
    if (!local.architecture || architectureMatches(j.platform.name, local)) return known.id;
  }
  if (localOnly(ref)) {
    if (local) throw wrongArchitecture(ref, local, j);
    throw new EnvironmentError(`the builder image ${ref} is not in the store (build or load it, e.g. scripts/make-builder-image.sh, and pass --sysbase IMAGE or --sysbase ${j.platform.name}=IMAGE)`);
  }
  ctx.step(`pull ${ref} for ${j.platform.name}`);
  const r = await engine.pull(ref, ctx, { platform: j.platform.name });
  if (ctx.dryRun) return '$SYSBASE_ID';
  if (r.code !== 0) {
    const why = r.stderr.trim().split('\n').slice(-2).join(' ');
    if (local) throw new EnvironmentError(`${wrongArchitecture(ref, local, j).message}; pulling it for ${j.platform.name} failed: ${why}`);
    throw new EnvironmentError(`the builder image ${ref} is not in the store and cannot be pulled for ${j.platform.name}: ${why}\n  (offline? build or load a builder image and pass --sysbase IMAGE or --sysbase ${j.platform.name}=IMAGE)`);
  }
  const printed = r.stdout.trim().split('\n').pop() ?? '';
  const id = /^(sha256:)?[0-9a-f]{64}$/.test(printed) ? printed.replace(/^sha256:/, '') : findImage(await engine.listImages(), ref)?.id;
  if (!id) throw new EnvironmentError(`${ref} was pulled but is not listed by ${engine.name}`);
  const info = await engine.inspect(id);
  if (info.architecture && !architectureMatches(j.platform.name, info)) throw wrongArchitecture(`${ref} (as pulled)`, info, j);
  return id;
}
