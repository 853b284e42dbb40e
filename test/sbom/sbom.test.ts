// SBOMs: CycloneDX 1.6 JSON from a real rpm database (written and read by the host's rpm) and from
// a build's package list; validated against the 1.6 schema; byte-identical for the same input.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSbom, rpmPurl, validateSbom, type SbomSubject } from '../../src/sbom/cyclonedx.js';
import { packagesFromNevraLines, packagesFromRpmDb } from '../../src/sbom/packages.js';

const subject = (over: Partial<SbomSubject> = {}): SbomSubject => ({
  image: '9/minimal', platform: 'linux/amd64', repository: 'almalinux/9-minimal', version: '9.8', distro: 'almalinux-9.8',
  timestamp: new Date('2026-01-02T00:00:00Z'), source: 'rpmdb', ...over,
});

describe('purls', () => {
  it('follow the rpm purl type, qualifiers sorted, epoch only when set', () => {
    expect(rpmPurl({ name: 'bash', version: '5.1.8', release: '9.el9', arch: 'x86_64' }, 'almalinux-9.8')).toBe('pkg:rpm/almalinux/bash@5.1.8-9.el9?arch=x86_64&distro=almalinux-9.8');
    expect(rpmPurl({ name: 'libstdc++', epoch: 1, version: '1.0', release: '1', arch: 'aarch64' }, 'almalinux-9.8')).toBe('pkg:rpm/almalinux/libstdc++@1.0-1?arch=aarch64&distro=almalinux-9.8&epoch=1');
  });
});

describe('from a real rpm database', () => {
  let dir: string;
  let root: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'almac-sbom-'));
    root = join(dir, 'root');
    const spec = join(dir, 'probe.spec');
    writeFileSync(spec, 'Name: sbom-probe\nEpoch: 2\nVersion: 1.2\nRelease: 3.el9\nSummary: probe\nLicense: MIT AND (GPL-2.0-or-later)\nBuildArch: noarch\n%description\nprobe\n%files\n');
    execFileSync('rpmbuild', ['-bb', '--define', `_topdir ${dir}/rpmbuild`, '--define', '_build_id_links none', spec], { stdio: 'pipe' });
    execFileSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '--initdb']);
    execFileSync('sh', ['-c', `rpm --root "$1" --dbpath /var/lib/rpm -i --nodeps --justdb "$2"/rpmbuild/RPMS/noarch/*.rpm`, 'sh', root, dir], { stdio: 'pipe' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads name, epoch, version, release, arch and license, and the SBOM validates against CycloneDX 1.6', async () => {
    const pkgs = await packagesFromRpmDb(root);
    expect(pkgs).toEqual([{ name: 'sbom-probe', epoch: 2, version: '1.2', release: '3.el9', arch: 'noarch', license: 'MIT AND (GPL-2.0-or-later)' }]);
    const json = renderSbom(pkgs, subject());
    expect(await validateSbom(json)).toBeNull();
    const doc = JSON.parse(json);
    expect(doc.specVersion).toBe('1.6');
    expect(doc.metadata.timestamp).toBe('2026-01-02T00:00:00.000Z');
    expect(doc.components[0]).toMatchObject({ name: 'sbom-probe', version: '2:1.2-3.el9', purl: 'pkg:rpm/almalinux/sbom-probe@1.2-3.el9?arch=noarch&distro=almalinux-9.8&epoch=2', licenses: [{ license: { name: 'MIT AND (GPL-2.0-or-later)' } }] });
  });
});

describe('determinism', () => {
  const list = 'bash-5.1.8-9.el9.x86_64\nglibc-2.34-100.el9.x86_64\ncoreutils-single-8.32-35.el9.x86_64\n';
  it('the same packages in any order give byte-identical SBOMs; the serial depends on the content', async () => {
    const a = renderSbom(packagesFromNevraLines(list), subject({ source: 'build-package-list' }));
    const b = renderSbom(packagesFromNevraLines(list.split('\n').reverse().join('\n')), subject({ source: 'build-package-list' }));
    expect(a).toBe(b);
    expect(await validateSbom(a)).toBeNull();
    const c = renderSbom(packagesFromNevraLines(list + 'tar-1.34-6.el9.x86_64\n'), subject({ source: 'build-package-list' }));
    expect(JSON.parse(c).serialNumber).not.toBe(JSON.parse(a).serialNumber);
    expect(JSON.parse(a).serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toMatch(/2026-12|Date|random/);
  });
  it('a list line that is not a NEVRA is an error', () => {
    expect(() => packagesFromNevraLines('not a package')).toThrow(/NEVRA/);
  });
});
