// `almac publish`: one manifest list per image (every platform built, each entry with os,
// architecture and variant set explicitly — podman 4.3 drops variants), pushed to every reference
// the definitions name, after each platform's identity check. Idempotent: a reference that already
// holds the list's digest is skipped. The list is written once to an OCI layout and copied from
// there with --preserve-digests, so every registry gets the same digest. Registries are published
// in parallel; a failure on one is reported with its references and never stops the others.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageSpec, PlatformInfo } from '../model/spec.js';
import { ociPlatform } from '../runner/platform.js';
import { CommandFailed, copyArgv, remoteDigest, run, sinkOf, variantOf, type Retry, type Runner } from './oci.js';
import { fillDate } from './references.js';
import { mapLocation, type RegistryMapping } from './registry-map.js';
import { writeSbomArtifact, type SbomForPlatform } from './sbom-artifact.js';

export type Outcome = 'pushed' | 'skipped' | 'failed' | 'planned';

export interface ReferenceResult {
  reference: string;
  registry: string;
  /** The digest the reference holds after this run (or would hold, for a dry run). */
  digest: string | null;
  outcome: Outcome;
  kind: 'image' | 'sbom';
  error?: string;
}

export interface ImageResult {
  image: string;
  platforms: { platform: string; digest: string | null; imageId: string }[];
  digest: string | null;
  references: ReferenceResult[];
  error?: string;
}

export interface PlatformImage {
  platform: PlatformInfo;
  /** Local image id in the engine store. */
  imageId: string;
  sbom?: SbomForPlatform;
}

export interface PublishImageInput {
  spec: ImageSpec;
  images: PlatformImage[];
}

interface LayoutEntry {
  digest: string;
  platform?: { os: string; architecture: string; variant?: string };
}

/** Writes (or reuses) the OCI layout of one image's manifest list; returns its dir and digests. */
async function layoutFor(r: Runner, workDir: string, input: PublishImageInput): Promise<{ dir: string; digest: string; entries: LayoutEntry[] }> {
  const key = createHash('sha256').update(JSON.stringify(input.images.map((i) => [i.platform.name, i.imageId]))).digest('hex').slice(0, 16);
  const dir = join(workDir, `${input.spec.release}-${input.spec.image}`, key);
  const list = `almac-publish-${input.spec.release}-${input.spec.image}-${key}-${process.pid}`;
  if (!existsSync(join(dir, 'index.json')) || r.dryRun) {
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    if (!r.dryRun) mkdirSync(tmp, { recursive: true });
    if (!r.engine) throw new Error('publishing needs the engine that holds the built images');
    const engine = r.engine;
    const sink = sinkOf(r);
    await engine.createManifest(list, sink);
    try {
      for (const i of input.images) await engine.addToManifest(list, `containers-storage:${i.imageId}`, sink, ociPlatform(i.platform.name));
      await engine.pushManifest(list, `oci:${tmp}:list`, { format: 'oci' }, sink);
    } finally {
      await engine.removeManifest(list, sink).catch(() => undefined);
    }
    if (r.dryRun) return { dir, digest: 'sha256:(computed when run)', entries: [] };
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const digest = index.manifests[0]!.digest;
  const listDoc = JSON.parse(readFileSync(join(dir, 'blobs', ...digest.split(':')), 'utf8')) as { manifests: LayoutEntry[] };
  return { dir, digest, entries: listDoc.manifests };
}

/** Pushes one image to every reference; never throws for registry failures (they are results). */
export async function publishImage(
  r: Runner,
  input: PublishImageInput,
  opts: { date: string; map: RegistryMapping[]; workDir: string; retry: Retry },
): Promise<ImageResult> {
  const result: ImageResult = { image: input.spec.id, platforms: [], digest: null, references: [] };
  let layout;
  try {
    layout = await layoutFor(r, opts.workDir, input);
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
    return result;
  }
  result.digest = layout.digest;
  result.platforms = input.images.map((i) => {
    const [, arch] = i.platform.name.split('/');
    const e = layout.entries.find((x) => x.platform?.architecture === arch && (x.platform?.variant ?? undefined) === variantOf(i.platform.name));
    return { platform: i.platform.name, digest: e?.digest ?? null, imageId: i.imageId };
  });
  // SBOM artifacts: one per platform manifest, tagged `sha256-<hex>.sbom` (no referrers API needed).
  const sboms: { tag: string; dir: string; digest: string }[] = [];
  if (!r.dryRun) {
    for (const [n, p] of result.platforms.entries()) {
      const sbom = input.images[n]!.sbom;
      if (!sbom || !p.digest) continue;
      const a = writeSbomArtifact(join(layout.dir, '..', 'sbom', p.digest.replace(':', '-')), sbom.json);
      sboms.push({ tag: `${p.digest.replace(':', '-')}.sbom`, dir: a.dir, digest: a.digest });
    }
  }
  await Promise.all(
    input.spec.publish.map(async (target) => {
      const location = mapLocation(target.location, opts.map);
      const repo = `${location}/${target.repository}`;
      const refs = target.tags.map((t) => `${repo}:${fillDate(t, opts.date)}`);
      let broken: string | undefined;
      const push = async (ref: string, kind: 'image' | 'sbom', dir: string, tag: string, digest: string, all: boolean) => {
        const base = { reference: ref, registry: target.registry, kind } as const;
        if (broken) return result.references.push({ ...base, digest: null, outcome: 'failed', error: `not attempted: ${broken}` });
        if (r.dryRun) {
          r.log(`# if ${ref} does not already hold the list:`);
          await run(r, copyArgv(dir, tag, ref, all));
          return result.references.push({ ...base, digest: null, outcome: 'planned' });
        }
        try {
          if ((await remoteDigest(r, ref, opts.retry)) === digest) return result.references.push({ ...base, digest, outcome: 'skipped' });
          await run(r, copyArgv(dir, tag, ref, all), opts.retry);
          const now = await remoteDigest(r, ref, opts.retry);
          if (now !== digest) throw new Error(`${ref} holds ${now ?? 'nothing'} after the push, not ${digest}`);
          return result.references.push({ ...base, digest, outcome: 'pushed' });
        } catch (e) {
          const msg = e instanceof CommandFailed || e instanceof Error ? e.message : String(e);
          broken = `${target.registry} (${location}) failed earlier: ${msg}`;
          return result.references.push({ ...base, digest: null, outcome: 'failed', error: msg });
        }
      };
      for (const ref of refs) await push(ref, 'image', layout.dir, 'list', layout.digest, true);
      for (const s of sboms) await push(`${repo}:${s.tag}`, 'sbom', s.dir, 'sbom', s.digest, false);
    }),
  );
  // Stable report order: registries as declared, then tags as written.
  const order = new Map<string, number>();
  for (const t of input.spec.publish) order.set(t.registry, order.size);
  result.references.sort((a, b) => (order.get(a.registry)! - order.get(b.registry)!) || 0);
  return result;
}
