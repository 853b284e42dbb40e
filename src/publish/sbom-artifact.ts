// An SBOM as an OCI artifact in a local OCI layout: an image manifest whose one layer is the
// CycloneDX document and whose config is the empty descriptor (OCI 1.1 artifact guidance). It is
// pushed under a tag derived from the image digest, `sha256-<hex>.sbom`, because distribution 2.8
// has no referrers API.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SBOM_MEDIA_TYPE = 'application/vnd.cyclonedx+json';
const EMPTY = '{}';

export interface SbomForPlatform {
  json: string;
  /** Where the SBOM file was written (next to the build manifest). */
  path?: string;
}

function blob(dir: string, data: string): { digest: string; size: number } {
  const hex = createHash('sha256').update(data).digest('hex');
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'blobs', 'sha256', hex), data);
  return { digest: `sha256:${hex}`, size: Buffer.byteLength(data) };
}

/** Writes the layout (tag `sbom`) and returns the manifest digest; deterministic for the same SBOM. */
export function writeSbomArtifact(dir: string, sbomJson: string): { dir: string; digest: string } {
  const layer = blob(dir, sbomJson);
  const config = blob(dir, EMPTY);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: SBOM_MEDIA_TYPE,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', ...config },
    layers: [{ mediaType: SBOM_MEDIA_TYPE, ...layer, annotations: { 'org.opencontainers.image.title': 'sbom.cdx.json' } }],
  });
  const m = blob(dir, manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': 'sbom' } }],
  }));
  return { dir, digest: m.digest };
}
