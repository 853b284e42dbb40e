// plan: the builds of a run (selected images × routes × platforms), each with its paths, tags and
// repositories, and the checks that need no engine (generated/ up to date, GPG keys, emulation).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageSpec, PlatformInfo } from '../../model/spec.js';
import { lockPath } from '../../lock/lockfile.js';
import { EnvironmentError, UsageError } from '../engine/index.js';
import { newJob, type Job, type Route } from '../job.js';
import { GENERATED_DIR, type LoadedProject } from '../load.js';
import { gpgFor, repoForBuild, type RepoOption } from '../repos.js';
import { sha256 } from '../state.js';
import { sysbaseFor, type SysbaseChoice } from './sysbase.js';

const NODE_ARCH_TO_BASEARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ppc64: 'ppc64le', s390x: 's390x', ia32: 'i686' };

export function hostBasearch(): string {
  return NODE_ARCH_TO_BASEARCH[process.arch] ?? process.arch;
}

/** Architectures this host runs without emulation. */
export function nativeArches(host: string): Set<string> {
  return new Set(host === 'x86_64' ? ['x86_64', 'i686'] : [host]);
}

function matchPlatform(spec: ImageSpec, want: string): PlatformInfo | undefined {
  const w = want.toLowerCase();
  return spec.platforms.find((p) => p.name === w || p.name === `linux/${w}` || p.basearch === w || p.uname === w);
}

export function platformSlug(p: PlatformInfo): string {
  return p.name.replace(/^linux\//, '').replace(/\//g, '-');
}

export function utcDate(d = new Date()): string {
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

function lockText(root: string, spec: ImageSpec, platform: PlatformInfo): string {
  try {
    return readFileSync(join(root, GENERATED_DIR, lockPath(spec, platform)), 'utf8');
  } catch {
    return '';
  }
}

export interface PlanInput {
  root: string;
  buildDir: string;
  project: LoadedProject;
  selected: ImageSpec[];
  routes: Route[];
  platforms: string[];
  /** --sysbase: for every platform and per platform (default: the definition's builder). */
  sysbase?: SysbaseChoice;
  repoOptions: RepoOption[];
  locked: boolean;
  host?: string;
  date?: string;
}

export interface Plan {
  jobs: Job[];
  /** Remarks for the user (images without a platform for this host, …). */
  notes: string[];
  /** Generated files that are missing or do not match the definitions. */
  stale: string[];
}

export function planJobs(i: PlanInput): Plan {
  const host = i.host ?? hostBasearch();
  const native = nativeArches(host);
  const date = i.date ?? utcDate();
  const plan: Plan = { jobs: [], notes: [], stale: [] };
  for (const spec of i.selected) {
    let plats: PlatformInfo[];
    if (i.platforms.length) {
      plats = [];
      for (const want of i.platforms.includes('all') ? spec.platforms.map((x) => x.name) : i.platforms) {
        const p = matchPlatform(spec, want);
        if (p) plats.push(p);
        else plan.notes.push(`${spec.id}: not built for ${want} (its platforms: ${spec.platforms.map((x) => x.name).join(', ')})`);
      }
    } else {
      const p = spec.platforms.find((x) => x.basearch === host);
      plats = p ? [p] : [];
      if (!p) plan.notes.push(`${spec.id}: has no platform for this host (${host}); its platforms: ${spec.platforms.map((x) => x.name).join(', ')}`);
    }
    for (const platform of plats) {
      for (const route of i.routes) {
        const rel = route === 'containerfile' ? spec.outputs.containerfile : spec.outputs.kickstart;
        const abs = join(i.root, GENERATED_DIR, rel);
        let bytes: Buffer;
        try {
          bytes = readFileSync(abs);
        } catch {
          plan.stale.push(`${GENERATED_DIR}/${rel} (missing)`);
          continue;
        }
        if (i.project.rendered[rel] !== undefined && i.project.rendered[rel] !== sha256(bytes)) {
          plan.stale.push(`${GENERATED_DIR}/${rel}`);
          continue;
        }
        const slug = platformSlug(platform);
        const outDir = join(i.buildDir, spec.release, spec.image, slug, route);
        const primary = route === i.routes[0] && native.has(platform.basearch) && platform.basearch === host;
        const repoOptions = i.repoOptions.map((r) => repoForBuild(r, { releasever: spec.releasever, basearch: platform.basearch }));
        plan.jobs.push(newJob({
          key: `${spec.id} ${route} ${platform.name}`,
          label: `${spec.id} ${route}${i.platforms.length ? ` ${platform.name}` : ''}`,
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
          sysbaseRef: sysbaseFor(i.sysbase ?? { perPlatform: [] }, spec, platform),
          repoOptions,
          network: repoOptions.length && repoOptions.every((r) => r.kind === 'dir') ? 'none' : 'host',
          // `identity 1`: the identity check every build runs (../identity.ts)
          verifyHash: sha256(JSON.stringify(spec.assertions) + 'identity 1' + (i.locked ? lockText(i.root, spec, platform) : '')),
          ...(i.locked ? { lockFile: join(i.root, GENERATED_DIR, lockPath(spec, platform)) } : {}),
        }));
      }
    }
  }
  return plan;
}

/** What must hold before anything runs: GPG keys for remote repositories, the host can run each build. */
export function checkRunnable(jobs: Job[], noGpgcheck: boolean, host = hostBasearch(), binfmt = (arch: string) => existsSync(`/proc/sys/fs/binfmt_misc/qemu-${arch}`)): void {
  for (const { plan: j } of jobs) for (const r of j.repoOptions) gpgFor(r, j.spec, noGpgcheck);
  for (const { plan: j } of jobs) {
    if (j.platform.basearch !== host && j.route === 'kickstart') throw new UsageError(`${j.spec.id}: the kickstart route builds only for this host's architecture (${host}), not ${j.platform.name}`);
    if (!j.native && !binfmt(j.platform.basearch)) {
      throw new EnvironmentError(`${j.spec.id}: building ${j.platform.name} on ${host} needs user-mode emulation, and no binfmt handler for ${j.platform.basearch} is registered (install qemu-user-static / qemu-user-binfmt)`);
    }
  }
}
