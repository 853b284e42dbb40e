// What an image was built with: its lock (generated/locks/), or what a built image reports — almac
// build's package manifest (sorted NEVRA lines, `rpm -qa`) or a CycloneDX SBOM (pkg:rpm purls).
import { readFileSync } from 'node:fs';
import { parseLock } from '../lock/lockfile.js';
import type { RepoPackage } from './repo-metadata.js';

export class PackageSetError extends Error {}

/** `name-[epoch:]version-release.arch` */
export function parseNevra(s: string): RepoPackage | undefined {
  const m = /^(.+)-(?:(\d+):)?([^-:]+)-([^-]+)\.([^.]+)$/.exec(s.trim());
  return m ? { name: m[1]!, epoch: Number(m[2] ?? 0), version: m[3]!, release: m[4]!, arch: m[5]! } : undefined;
}

/** pkg:rpm/almalinux/bash@5.1.8-9.el9?arch=x86_64&epoch=1 */
function parseRpmPurl(purl: string): RepoPackage | undefined {
  const m = /^pkg:rpm\/(?:[^/]+\/)?([^@?]+)@([^?#]+)(?:\?([^#]*))?/.exec(purl);
  if (!m) return undefined;
  const q = new URLSearchParams(m[3] ?? '');
  const vr = decodeURIComponent(m[2]!);
  const dash = vr.lastIndexOf('-');
  if (dash <= 0) return undefined;
  return { name: decodeURIComponent(m[1]!), epoch: Number(q.get('epoch') ?? 0), version: vr.slice(0, dash), release: vr.slice(dash + 1), arch: q.get('arch') ?? 'noarch' };
}

export interface PackageSet {
  packages: RepoPackage[];
  kind: 'lock' | 'manifest' | 'sbom';
}

export function readPackageSet(path: string): PackageSet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PackageSetError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parsePackageSet(text, path);
}

/** A lock, a CycloneDX SBOM (pkg:rpm purls) or a build manifest (NEVRA lines); `path` names it in errors. */
export function parsePackageSet(text: string, path: string): PackageSet {
  if (text.trimStart().startsWith('{')) {
    const lock = parseLock(text);
    if (lock) return { kind: 'lock', packages: lock.packages.map((p) => ({ name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch })) };
    let bom: { bomFormat?: string; components?: { purl?: string }[] };
    try {
      bom = JSON.parse(text);
    } catch {
      throw new PackageSetError(`${path} is neither a lock, a package manifest nor a CycloneDX SBOM`);
    }
    if (bom.bomFormat !== 'CycloneDX') throw new PackageSetError(`${path} is JSON, but neither an almac lock nor a CycloneDX SBOM`);
    const packages = (bom.components ?? []).flatMap((c) => (c.purl ? [parseRpmPurl(c.purl)] : [])).filter((p): p is RepoPackage => !!p);
    if (!packages.length) throw new PackageSetError(`${path}: the SBOM lists no rpm packages (pkg:rpm purls)`);
    return { kind: 'sbom', packages };
  }
  const packages: RepoPackage[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim() || line.startsWith('#')) continue;
    const p = parseNevra(line);
    if (!p) throw new PackageSetError(`${path}:${i + 1}: \`${line.trim()}\` is not name-version-release.arch`);
    packages.push(p);
  }
  return { kind: 'manifest', packages };
}
