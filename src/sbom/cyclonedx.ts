// CycloneDX 1.6 SBOMs of built images, made with @cyclonedx/cyclonedx-library. The packages come
// from the image's rpm database (read by the host's rpm, see rpmdb.ts) or, for images without one
// (micro), from the build's own package list. Deterministic by construction: components sorted,
// bom-refs are purls, the serial number is derived from the content, the timestamp is the build date.
import { createHash } from 'node:crypto';
import * as CDX from '@cyclonedx/cyclonedx-library';

export interface PackageRecord {
  name: string;
  /** undefined or 0 when the package has no epoch */
  epoch?: number;
  version: string;
  release: string;
  arch: string;
  license?: string;
}

export interface SbomSubject {
  /** e.g. `9/minimal` */
  image: string;
  /** e.g. `linux/arm64` */
  platform: string;
  /** The image's repository and version, e.g. `almalinux/9-minimal` and `9.8` */
  repository: string;
  version: string;
  /** `almalinux-9.8`: the distro qualifier of every purl */
  distro: string;
  /** The build date (not the time the SBOM is written). */
  timestamp: Date;
  /** Where the package list came from: `rpmdb` or `build-package-list`. */
  source: 'rpmdb' | 'build-package-list';
}

/** `pkg:rpm/almalinux/bash@5.1.8-9.el9?arch=x86_64&distro=almalinux-9.8` (epoch as a qualifier). */
export function rpmPurl(p: PackageRecord, distro: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%2B/g, '+').replace(/%3A/g, ':');
  // Qualifiers in lexical order of their keys, as the purl spec asks.
  const q: [string, string][] = [['arch', p.arch], ['distro', distro]];
  if (p.epoch) q.push(['epoch', String(p.epoch)]);
  q.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return `pkg:rpm/almalinux/${enc(p.name)}@${enc(`${p.version}-${p.release}`)}?${q.map(([k, v]) => `${k}=${enc(v)}`).join('&')}`;
}

function byNevra(a: PackageRecord, b: PackageRecord): number {
  const ka = `${a.name}\0${a.arch}\0${a.epoch ?? 0}\0${a.version}\0${a.release}`;
  const kb = `${b.name}\0${b.arch}\0${b.epoch ?? 0}\0${b.version}\0${b.release}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The SBOM as CycloneDX 1.6 JSON text, byte-identical for the same packages and subject. */
export function renderSbom(packages: PackageRecord[], subject: SbomSubject): string {
  const bom = new CDX.Models.Bom();
  const meta = bom.metadata;
  meta.timestamp = new Date(Math.floor(subject.timestamp.getTime() / 1000) * 1000);
  meta.component = new CDX.Models.Component(CDX.Enums.ComponentType.Container, subject.repository, {
    version: subject.version,
    bomRef: `image:${subject.image}:${subject.platform}`,
    description: `AlmaLinux ${subject.image} for ${subject.platform}`,
  });
  meta.tools.components.add(new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'almac', { bomRef: 'tool:almac' }));
  meta.properties.add(new CDX.Models.Property('almac:package-source', subject.source));
  meta.properties.add(new CDX.Models.Property('almac:platform', subject.platform));

  const seen = new Set<string>();
  for (const p of [...packages].sort(byNevra)) {
    const purl = rpmPurl(p, subject.distro);
    if (seen.has(purl)) continue; // the same NEVRA twice (rpm -qa of a broken db) is one component
    seen.add(purl);
    const c = new CDX.Models.Component(CDX.Enums.ComponentType.Library, p.name, {
      version: `${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}`,
      bomRef: purl,
      purl,
    });
    if (p.license && p.license !== '(none)') c.licenses.add(new CDX.Models.NamedLicense(p.license));
    c.properties.add(new CDX.Models.Property('rpm:arch', p.arch));
    bom.components.add(c);
  }
  // Library sets are sorted by the serializer (sortLists); the serial comes from the content itself.
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  const body = serializer.serialize(bom, { sortLists: true, space: 2 });
  const digest = createHash('sha256').update(body).digest('hex');
  bom.serialNumber = `urn:uuid:${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-${((parseInt(digest[16]!, 16) & 3) | 8).toString(16)}${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  return serializer.serialize(bom, { sortLists: true, space: 2 }) + '\n';
}

/** Validates SBOM JSON text against the CycloneDX 1.6 schema (strict); null when valid. */
export async function validateSbom(json: string): Promise<unknown> {
  const v = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6);
  return v.validate(json);
}
