// The per-platform images `almac build` left in its store, their identity check (the smoke test
// upstream runs on every platform) and their SBOMs. An rpm image's root is mounted and read with
// the host's rpm: `rpm -qf --queryformat %{ARCH} /etc/almalinux-release` must be the platform's
// base architecture. An image without an rpm database (micro) runs `uname -m` under its platform
// (qemu for foreign ones); linux/386 and linux/amd64/v2 report x86_64 there (src/runner/identity.ts,
// the same check every build runs).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageSpec, PlatformInfo } from '../model/spec.js';
import { renderSbom, type PackageRecord } from '../sbom/cyclonedx.js';
import { packagesFromNevraLines, packagesFromRpmDb } from '../sbom/packages.js';
import { checkIdentity } from '../runner/identity.js';
import { run, type Runner } from './oci.js';
import type { PlatformImage } from './publish.js';

export function platformSlug(p: PlatformInfo): string {
  return p.name.replace(/^linux\//, '').replace(/\//g, '-');
}

/** The runner's local tag of a Containerfile-route build. */
export function localTag(spec: ImageSpec, p: PlatformInfo): string {
  return `localhost/almac/${spec.release}-${spec.image}:containerfile-${platformSlug(p)}`;
}

export function buildOutputDir(buildDir: string, spec: ImageSpec, p: PlatformInfo): string {
  return join(buildDir, spec.release, spec.image, platformSlug(p), 'containerfile');
}

export class PlatformCheckError extends Error {}

export async function findImageId(r: Runner, ref: string): Promise<string | undefined> {
  try {
    const res = await run(r, ['podman', 'image', 'inspect', '--format', '{{.Id}}', ref]);
    return res.stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The day (00:00 UTC) the image was built: the SBOM's timestamp, the same on every publish. */
export async function buildDay(r: Runner, imageId: string): Promise<Date | undefined> {
  try {
    const s = Number((await run(r, ['podman', 'image', 'inspect', '--format', '{{.Created.Unix}}', imageId])).stdout.trim());
    return Number.isFinite(s) && s > 0 ? new Date(Math.floor(s / 86400) * 86400 * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/** dnf's "Installed:" section of a build log: the build's own package list. */
export function installedFromBuildLog(log: string): PackageRecord[] {
  const out: string[] = [];
  let inside = false;
  for (const line of log.split('\n')) {
    const text = line.replace(/^.*?\|\s?/, '').trimEnd(); // engines may prefix lines
    if (/^Installed:$/.test(text.trim())) {
      inside = true;
      continue;
    }
    if (!inside) continue;
    if (!text.trim() || /^(Complete!|STEP|-->|COMMIT)/.test(text.trim())) {
      inside = false;
      continue;
    }
    out.push(...text.trim().split(/\s+/));
  }
  return packagesFromNevraLines([...new Set(out)].join('\n'));
}

export interface CheckedPlatform extends PlatformImage {
  identity: string;
}

/** Checks one platform image's identity and writes its SBOM next to the build manifest. */
export async function checkPlatformImage(r: Runner, spec: ImageSpec, p: PlatformInfo, imageId: string, o: { buildDir: string; date: Date }): Promise<CheckedPlatform> {
  const outDir = buildOutputDir(o.buildDir, spec, p);
  const mount = (await run(r, ['podman', 'image', 'mount', imageId])).stdout.trim();
  let packages: PackageRecord[] | undefined;
  let identity: string;
  let source: 'rpmdb' | 'build-package-list' = 'rpmdb';
  try {
    const rpmDb = ['rpmdb.sqlite', 'Packages', 'Packages.db'].some((f) => existsSync(join(mount, 'var', 'lib', 'rpm', f))) ? '/var/lib/rpm' : undefined;
    const id = await checkIdentity(spec, p, {
      root: mount,
      rpmDb,
      rpmArch: async () => (await run(r, ['rpm', '--root', mount, '--dbpath', '/var/lib/rpm', '-qf', '--queryformat', '%{ARCH}', '/etc/almalinux-release'])).stdout,
      unameM: async () => (await run(r, ['podman', 'run', '--rm', '--network', 'none', '--platform', p.name, imageId, 'uname', '-m'])).stdout,
    });
    if (!id.ok) throw new PlatformCheckError(`${spec.id} ${p.name}: ${id.detail}`);
    identity = id.detail;
    if (rpmDb) {
      packages = await packagesFromRpmDb(mount);
    } else {
      const log = join(outDir, 'build.log');
      if (existsSync(log)) {
        packages = installedFromBuildLog(readFileSync(log, 'utf8'));
        source = 'build-package-list';
      }
    }
  } finally {
    await run(r, ['podman', 'image', 'umount', imageId]).catch(() => undefined);
  }
  const img: CheckedPlatform = { platform: p, imageId, identity };
  const timestamp = (await buildDay(r, imageId)) ?? o.date;
  if (packages?.length) {
    const json = renderSbom(packages, { image: spec.id, platform: p.name, repository: spec.naming.repository, version: spec.version, distro: `almalinux-${spec.version}`, timestamp, source });
    mkdirSync(outDir, { recursive: true });
    const path = join(outDir, 'sbom.cdx.json');
    writeFileSync(path, json);
    img.sbom = { json, path };
  }
  return img;
}
