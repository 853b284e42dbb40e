// --via containerfile: the committed Containerfile, unchanged, built by the engine with the builder
// image as SYSBASE (the definition's, --sysbase, or the one derived for --repo).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JobContext } from '../job.js';

/** `STEP 3/12: RUN …` / `[2/3] STEP 1/4: FROM …` → a short progress text. */
export function stepFromBuildOutput(line: string): string | undefined {
  const m = /^(?:\[(\d+)\/(\d+)\]\s+)?STEP\s+(\d+)\/(\d+):\s*(.*)$/.exec(line.trim());
  if (!m) return undefined;
  const stage = m[1] ? `stage ${m[1]}/${m[2]} ` : '';
  return `${stage}step ${m[3]}/${m[4]}: ${m[5]!.replace(/\s+/g, ' ')}`;
}

/** Builds; returns the image id. */
export async function buildViaContainerfile(ctx: JobContext, o: { builderRef: string; contextDir: string }): Promise<string> {
  const { job, engine } = ctx;
  if (!ctx.dryRun) {
    mkdirSync(job.workDir, { recursive: true });
    mkdirSync(o.contextDir, { recursive: true });
  }
  ctx.step('build');
  return engine.build(
    {
      containerfile: job.generatedPath,
      contextDir: o.contextDir,
      tag: job.localTag,
      buildArgs: { SYSBASE: o.builderRef },
      platform: job.platform.name,
      network: job.network,
      pull: 'never',
      layers: false,
      iidFile: join(job.workDir, 'image-id'),
      what: `${engine.name} build of ${job.generatedRel}`,
      onLine: (l) => {
        const s = stepFromBuildOutput(l);
        if (s) ctx.progress(s);
      },
    },
    ctx,
  );
}
