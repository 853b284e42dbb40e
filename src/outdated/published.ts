// The package set of a published image, read back from its registry: the manifest list at the
// image's first published reference (the first registry its definition names, its first tag without
// `{date}`), that list's entry for the platform, and the CycloneDX SBOM `almac publish` pushed beside
// it as `sha256-<platform digest hex>.sbom`. This is what users pull, so it is what a scheduled
// update check compares with the repositories.
//
// An image that was never published, a platform missing from its list, or a list without an SBOM
// cannot be compared: it is reported as needing a rebuild (the rebuild publishes all three), with
// the reason. A registry that cannot be reached is an error, never a rebuild.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageSpec, PlatformInfo } from '../model/spec.js';
import { onInterrupt } from '../runner/engine/index.js';
import { CommandFailed, run, variantOf, type Retry, type Runner } from '../publish/oci.js';
import { isLoopback, mapLocation, type RegistryMapping } from '../publish/registry-map.js';
import { SBOM_MEDIA_TYPE } from '../publish/sbom-artifact.js';
import { PackageSetError, parsePackageSet, type PackageSet } from './package-sets.js';
import { scratchDir } from '../util/scratch.js';

export type PublishedPackageSet =
  | { found: true; reference: string; sbomReference: string; set: PackageSet }
  | { found: false; reference: string; reason: string };

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

interface ListEntry {
  digest: string;
  platform?: { os?: string; architecture?: string; variant?: string };
}

/** `location/repository:tag` that `almac outdated --published` reads for an image (after --registry-map). */
export function publishedReference(spec: ImageSpec, map: RegistryMapping[]): string {
  const target = spec.publish[0];
  if (!target) throw new PackageSetError(`${spec.id} is published nowhere (its naming block has no publish), so it has no published package set; give --package-set ${spec.id}=FILE`);
  const tag = target.tags.find((t) => !t.includes('{date}'));
  if (!tag) throw new PackageSetError(`${spec.id}: every tag it is published under on ${target.registry} holds {date}, so none names the current image; give --package-set ${spec.id}=FILE`);
  return `${mapLocation(target.location, map)}/${target.repository}:${tag}`;
}

const notFound = (e: unknown) => e instanceof CommandFailed && /manifest unknown|not found|name unknown|404/i.test(e.result.stderr);
const tls = (flag: string, ref: string) => (isLoopback(ref) ? [`--${flag}=false`] : []);

/** The manifest list at `ref`, or null when the registry has no such reference. */
async function inspectRaw(r: Runner, ref: string, retry: Retry): Promise<{ mediaType?: string; manifests?: ListEntry[]; layers?: { mediaType: string; digest: string }[] } | null> {
  try {
    const res = await run(r, ['skopeo', 'inspect', '--raw', '--retry-times', '0', ...tls('tls-verify', ref), `docker://${ref}`], retry);
    return JSON.parse(res.stdout);
  } catch (e) {
    if (notFound(e)) return null;
    if (e instanceof SyntaxError) throw new PackageSetError(`${ref}: the registry answered with something that is not a manifest`);
    throw e;
  }
}

function entryFor(list: ListEntry[], platform: PlatformInfo): ListEntry | undefined {
  const [os, arch] = platform.name.split('/');
  const variant = variantOf(platform.name);
  return list.find((m) => m.platform?.os === os && m.platform?.architecture === arch && (m.platform?.variant ?? undefined) === variant)
    // A list written by another tool may leave arm64's v8 out.
    ?? (arch === 'arm64' ? list.find((m) => m.platform?.os === os && m.platform?.architecture === arch && !m.platform?.variant) : undefined);
}

export async function readPublishedPackageSet(r: Runner, spec: ImageSpec, platform: PlatformInfo, opts: { map: RegistryMapping[]; retry: Retry }): Promise<PublishedPackageSet> {
  const reference = publishedReference(spec, opts.map);
  const repo = reference.slice(0, reference.lastIndexOf(':'));
  const list = await inspectRaw(r, reference, opts.retry);
  if (!list) return { found: false, reference, reason: `${reference} does not exist: never published` };
  if (!INDEX_TYPES.has(list.mediaType ?? '') || !Array.isArray(list.manifests)) {
    return { found: false, reference, reason: `${reference} is a single image, not the manifest list almac publish writes` };
  }
  const entry = entryFor(list.manifests, platform);
  if (!entry) return { found: false, reference, reason: `${reference} has no ${platform.name} image` };
  const sbomReference = `${repo}:${entry.digest.replace(':', '-')}.sbom`;
  const artifact = await inspectRaw(r, sbomReference, opts.retry);
  const layer = artifact?.layers?.find((l) => l.mediaType === SBOM_MEDIA_TYPE);
  if (!layer) return { found: false, reference, reason: `${reference} (${platform.name}) has no SBOM at ${sbomReference}` };
  // skopeo fetches the artifact and checks every blob's digest; the SBOM is the layer's blob.
  const dir = scratchDir('published-sbom-');
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const unregister = onInterrupt(remove);
  try {
    await run(r, ['skopeo', 'copy', '--retry-times', '0', ...tls('src-tls-verify', sbomReference), `docker://${sbomReference}`, `dir:${dir}`], opts.retry);
    const text = readFileSync(join(dir, layer.digest.replace(/^sha256:/, '')), 'utf8');
    const set = parsePackageSet(text, sbomReference);
    if (set.kind !== 'sbom') throw new PackageSetError(`${sbomReference} is not a CycloneDX SBOM`);
    return { found: true, reference, sbomReference, set };
  } finally {
    unregister();
    remove();
  }
}
