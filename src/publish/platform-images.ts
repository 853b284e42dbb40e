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
import type { Engine } from '../runner/engine/index.js';
import { fileOwnerArch } from '../runner/verify.js';
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

export async function findImageId(engine: Engine, ref: string): Promise<string | undefined> {
  try {
    return (await engine.inspect(ref)).id || undefined;
  } catch {
    return undefined;
  }
}

/** The day (00:00 UTC) the image was built: the SBOM's timestamp, the same on every publish. */
export async function buildDay(engine: Engine, imageId: string): Promise<Date | undefined> {
  try {
    const created = (await engine.inspect(imageId)).created;
    const ms = created ? Date.parse(created) : NaN;
    return Number.isFinite(ms) && ms > 0 ? new Date(Math.floor(ms / 86_400_000) * 86_400_000) : undefined;
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
export async function checkPlatformImage(engine: Engine, spec: ImageSpec, p: PlatformInfo, imageId: string, o: { buildDir: string; date: Date }): Promise<CheckedPlatform> {
  const outDir = buildOutputDir(o.buildDir, spec, p);
  mkdirSync(outDir, { recursive: true });
  const root = await engine.mountImage(imageId, outDir);
  const mount = root.path;
  let packages: PackageRecord[] | undefined;
  let identity: string;
  let source: 'rpmdb' | 'build-package-list' = 'rpmdb';
  try {
    const rpmDb = ['rpmdb.sqlite', 'Packages', 'Packages.db'].some((f) => existsSync(join(mount, 'var', 'lib', 'rpm', f))) ? '/var/lib/rpm' : undefined;
    const id = await checkIdentity(spec, p, {
      root: mount,
      rpmDb,
      rpmArch: () => fileOwnerArch(mount, rpmDb!, '/etc/almalinux-release', outDir),
      unameM: async () => {
        const u = await engine.run(imageId, ['uname', '-m'], { allowFailure: true, timeoutMs: 120_000 });
        return u.code === 0 ? u.stdout : '';
      },
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
    await root.release().catch(() => undefined);
  }
  const img: CheckedPlatform = { platform: p, imageId, identity };
  const timestamp = (await buildDay(engine, imageId)) ?? o.date;
  if (packages?.length) {
    const json = renderSbom(packages, { image: spec.id, platform: p.name, repository: spec.naming.repository, version: spec.version, distro: `almalinux-${spec.version}`, timestamp, source });
    mkdirSync(outDir, { recursive: true });
    const path = join(outDir, 'sbom.cdx.json');
    writeFileSync(path, json);
    img.sbom = { json, path };
  }
  return img;
}
