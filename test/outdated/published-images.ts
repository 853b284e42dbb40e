// Published images for `almac outdated --published`, without building any: per image, a manifest
// list whose linux/amd64 entry is a one-layer OCI image (an empty tar; the config names the image,
// so every image has its own digest), pushed with skopeo to a real registry, and beside it the SBOM
// artifact exactly as `almac publish` writes it (writeSbomArtifact), tagged sha256-<hex>.sbom.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeSbomArtifact } from '../../src/publish/sbom-artifact.js';
import { renderSbom, type PackageRecord } from '../../src/sbom/cyclonedx.js';

const run = promisify(execFile);

function blob(dir: string, data: string | Buffer): { digest: string; size: number } {
  const hex = createHash('sha256').update(data).digest('hex');
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'blobs', 'sha256', hex), data);
  return { digest: `sha256:${hex}`, size: Buffer.byteLength(data) };
}

/** Writes the list's OCI layout under `dir` (tag `list`); returns the linux/amd64 entry's digest. */
function writeListLayout(dir: string, image: string): string {
  const layer = blob(dir, Buffer.alloc(1024));
  const config = blob(dir, JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: { 'org.almalinux.image': image } }, rootfs: { type: 'layers', diff_ids: [layer.digest] } }));
  const manifest = blob(dir, JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  }));
  const list = blob(dir, JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os: 'linux', architecture: 'amd64' } }],
  }));
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...list, annotations: { 'org.opencontainers.image.ref.name': 'list' } }] }));
  return manifest.digest;
}

/** Pushes `image` to `reference` (a loopback registry); with `packages`, its amd64 SBOM too. */
export async function publishFakeImage(work: string, image: string, reference: string, packages?: PackageRecord[]): Promise<void> {
  const dir = join(work, 'layouts', image.replace('/', '-'));
  const digest = writeListLayout(join(dir, 'list'), image);
  await run('skopeo', ['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${join(dir, 'list')}:list`, `docker://${reference}`]);
  if (!packages) return;
  const sbom = renderSbom(packages, { image, platform: 'linux/amd64', repository: reference.split('/').slice(1).join('/').split(':')[0]!, version: '9.8', distro: 'almalinux-9.8', timestamp: new Date(Date.UTC(2026, 0, 2)), source: 'rpmdb' });
  writeSbomArtifact(join(dir, 'sbom'), sbom);
  const repo = reference.slice(0, reference.lastIndexOf(':'));
  await run('skopeo', ['copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${join(dir, 'sbom')}:sbom`, `docker://${repo}:${digest.replace(':', '-')}.sbom`]);
}
