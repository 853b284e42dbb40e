// --via containerfile: the committed Containerfile, unchanged, built by the engine with the builder
// image as SYSBASE (the definition's, --sysbase, or the one derived for --repo).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobContext } from '../job.js';

/** `STEP 3/12: RUN …` / `[2/3] STEP 1/4: FROM …` → a short progress text. */
export function stepFromBuildOutput(line: string): string | undefined {
  const m = /^(?:\[(\d+)\/(\d+)\]\s+)?STEP\s+(\d+)\/(\d+):\s*(.*)$/.exec(line.trim());
  if (!m) return undefined;
  const stage = m[1] ? `stage ${m[1]}/${m[2]} ` : '';
  return `${stage}step ${m[3]}/${m[4]}: ${m[5]!.replace(/\s+/g, ' ')}`;
}

/** Image ids a docker (legacy builder) build prints for its steps: ` ---> 1234abcd` / `--> 1234abcd`. */
export function intermediateImage(line: string): string | undefined {
  return /^\s*-+> ([0-9a-f]{11,64})\s*$/.exec(line)?.[1];
}

/**
 * Builds; returns the image id. `intermediates` receives the step images a docker legacy build leaves
 * in the daemon's store (podman and buildah with --layers=false create none), for removal.
 */
export async function buildViaContainerfile(ctx: JobContext, o: { builderRef: string; contextDir: string; intermediates?: string[] }): Promise<string> {
  const { job, engine } = ctx;
  const iid = join(job.workDir, 'image-id');
  if (!ctx.dryRun) {
    mkdirSync(job.workDir, { recursive: true });
    mkdirSync(o.contextDir, { recursive: true });
  }
  ctx.step('build');
  const args = engine.buildArgs(
    {
      containerfile: job.generatedPath,
      contextDir: o.contextDir,
      tag: job.localTag,
      buildArgs: { SYSBASE: o.builderRef },
      platform: job.platform.name,
      network: job.network,
      pull: 'never',
      layers: false,
    },
    iid,
  );
  await ctx.engineCmd(args, {
    killSafe: engine.killSafe,
    what: `${engine.name} build of ${job.generatedRel}`,
    onLine: (l) => {
      const s = stepFromBuildOutput(l);
      if (s) ctx.progress(s);
      const i = engine.name === 'docker' ? intermediateImage(l) : undefined;
      if (i) o.intermediates?.push(i);
    },
  });
  if (ctx.dryRun) return '$IMAGE_ID';
  return readFileSync(iid, 'utf8').trim().replace(/^sha256:/, '');
}
