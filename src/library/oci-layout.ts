// Reading an OCI image layout (what `skopeo copy --all … oci:DIR:TAG` and `podman manifest push
// --all LIST oci:DIR:TAG` write): index.json → the image index (manifest list) → one manifest per
// platform → its layers. The platform comes from the manifest list's descriptors, never from
// looking inside the layers.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OciPlatform } from './architectures.js';

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const LAYER_TYPES = [
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.diff.tar',
];

export class OciLayoutError extends Error {}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface PlatformImage {
  platform: OciPlatform;
  manifestDigest: string;
  /** Layer blob files, bottom first. */
  layers: string[];
  config: { Cmd?: string[]; Entrypoint?: string[]; Env?: string[] };
}

function blobPath(dir: string, digest: string): string {
  const m = /^(sha256|sha512):([0-9a-f]{64,128})$/.exec(digest);
  if (!m) throw new OciLayoutError(`${dir}: malformed digest \`${digest}\``);
  const p = join(dir, 'blobs', m[1]!, m[2]!);
  if (!existsSync(p)) throw new OciLayoutError(`${dir}: blob ${digest} is missing (an incomplete copy?)`);
  return p;
}

function readJson<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new OciLayoutError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

/**
 * Every platform image of the index tagged `ref` in the layout `dir` (the only index when `ref` is
 * undefined and there is exactly one).
 */
export function readPlatformImages(dir: string, ref?: string): PlatformImage[] {
  if (!existsSync(join(dir, 'oci-layout'))) throw new OciLayoutError(`${dir} is not an OCI image layout (no oci-layout file)`);
  const top = readJson<{ manifests?: Descriptor[] }>(join(dir, 'index.json'), 'the OCI index');
  const all = top.manifests ?? [];
  const named = ref === undefined ? all : all.filter((d) => d.annotations?.['org.opencontainers.image.ref.name'] === ref);
  if (named.length !== 1) {
    const refs = all.map((d) => d.annotations?.['org.opencontainers.image.ref.name']).filter(Boolean);
    throw new OciLayoutError(`${dir}: ${named.length ? 'several images' : 'no image'}${ref !== undefined ? ` tagged \`${ref}\`` : ''}; the layout holds ${refs.length ? refs.map((r) => `\`${r}\``).join(', ') : `${all.length} untagged`}`);
  }
  const root = named[0]!;
  let descriptors: Descriptor[];
  if (root.mediaType && INDEX_TYPES.includes(root.mediaType)) {
    descriptors = readJson<{ manifests?: Descriptor[] }>(blobPath(dir, root.digest), 'the image index').manifests ?? [];
  } else {
    descriptors = [root];
  }
  const out: PlatformImage[] = [];
  for (const d of descriptors) {
    if (d.mediaType && !MANIFEST_TYPES.includes(d.mediaType)) continue; // attestations, nested indexes
    const manifest = readJson<{ config: Descriptor; layers: Descriptor[] }>(blobPath(dir, d.digest), 'the image manifest');
    const config = readJson<{ architecture?: string; os?: string; variant?: string; config?: PlatformImage['config'] }>(blobPath(dir, manifest.config.digest), 'the image config');
    // A single image without a list has no descriptor platform; its config says what it is.
    const p = d.platform ?? (descriptors.length === 1 ? { os: config.os, architecture: config.architecture, variant: config.variant } : undefined);
    if (!p?.os || !p.architecture) throw new OciLayoutError(`${dir}: manifest ${d.digest} has no platform in the manifest list`);
    for (const l of manifest.layers) {
      if (l.mediaType && !LAYER_TYPES.includes(l.mediaType)) throw new OciLayoutError(`${dir}: layer ${l.digest} has the unsupported media type ${l.mediaType}`);
    }
    out.push({
      platform: p.variant ? { os: p.os, architecture: p.architecture, variant: p.variant } : { os: p.os, architecture: p.architecture },
      manifestDigest: d.digest,
      layers: manifest.layers.map((l) => blobPath(dir, l.digest)),
      config: config.config ?? {},
    });
  }
  return out;
}
