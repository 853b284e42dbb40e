// skip: which builds can be skipped. A build whose inputs (generated file, route, repositories,
// builder image, engine, platform, and for kickstarts the image config and executor) equal those of
// its last successful build, and whose image still carries its tag, is not run again; when only what
// verification checks changed, the image is verified again without a rebuild.
import { findImage, qualifyName, type EngineName, type ImageRecord } from '../engine/index.js';
import type { Job, JobPlan } from '../job.js';
import { gpgFor } from '../repos.js';
import { sha256, type StateFile } from '../state.js';

/** Bumped when the runner changes how images are made (invalidates every recorded build). */
export const RUNNER_VERSION = 1;

export type InputsOf = (j: JobPlan, sysbaseId: string) => string;

export function inputsFunction(engine: EngineName, noGpgcheck: boolean, ksExecutor: string): InputsOf {
  return (j, sysbaseId) =>
    sha256(JSON.stringify({
      v: RUNNER_VERSION,
      route: j.route,
      generated: sha256(j.generatedBytes),
      repos: j.repoOptions.map((r) => ({ name: r.name, where: r.dir ?? r.url, gpg: gpgFor(r, j.spec, noGpgcheck) })),
      sysbase: sysbaseId,
      engine,
      platform: j.platform.name,
      ...(j.route === 'kickstart' ? { config: j.spec.config, executor: ksExecutor } : {}),
    }));
}

export interface Triage {
  toRun: Job[];
  reverify: Job[];
}

/** Marks unchanged jobs 'skipped' (filling in their recorded results) and sorts the rest. */
export function triage(jobs: Job[], images: ImageRecord[], state: StateFile, inputsOf: InputsOf, force: boolean): Triage {
  const t: Triage = { toRun: [], reverify: [] };
  for (const job of jobs) {
    const { plan: j, result } = job;
    const prev = findImage(images, j.localTag);
    if (prev) result.previousImageId = prev.id;
    const sys = findImage(images, j.sysbaseRef);
    const rec = state.builds[j.key];
    if (sys) result.inputs = inputsOf(j, sys.id);
    const img = rec ? images.find((i) => i.id === rec.imageId) : undefined;
    if (!force && rec && result.inputs && rec.inputs === result.inputs && img && img.names.includes(qualifyName(j.localTag))) {
      result.imageId = rec.imageId;
      result.size = rec.size;
      result.packages = rec.packages;
      if (rec.verify === j.verifyHash) result.status = 'skipped';
      else t.reverify.push(job);
    } else {
      t.toRun.push(job);
    }
  }
  return t;
}
