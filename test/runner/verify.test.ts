// Verification helpers on real directory trees (and the host's rpm, when it has one).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageSpec, NamedAssertion } from '../../src/model/spec.js';
import { checkCommandAssertions, checkStaticAssertions, findRpmDb, nevraName, pathExists, readManifest, renderManifest, resolveInRoot } from '../../src/runner/verify.js';

const root = mkdtempSync(join(tmpdir(), 'almac-root-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'usr/lib'), { recursive: true });
mkdirSync(join(root, 'etc'), { recursive: true });
writeFileSync(join(root, 'usr/lib/os-release'), 'ID=almalinux\n');
symlinkSync('../usr/lib/os-release', join(root, 'etc/os-release'));
symlinkSync('/usr/lib/os-release', join(root, 'etc/abs-link'));
symlinkSync('/nowhere', join(root, 'etc/dangling'));
symlinkSync('loop2', join(root, 'etc/loop1'));
symlinkSync('loop1', join(root, 'etc/loop2'));
symlinkSync('/', join(root, 'etc/up'));
symlinkSync('usr/lib', join(root, 'lib'));

describe('resolveInRoot', () => {
  it('resolves symlinks as the image would: absolute targets stay inside the root', () => {
    expect(resolveInRoot(root, '/etc/os-release')).toBe(join(root, 'usr/lib/os-release'));
    expect(resolveInRoot(root, '/etc/abs-link')).toBe(join(root, 'usr/lib/os-release'));
    expect(resolveInRoot(root, '/lib/os-release')).toBe(join(root, 'usr/lib/os-release'));
    expect(resolveInRoot(root, '/etc/up/../../../etc/up/usr/lib/os-release')).toBe(join(root, 'usr/lib/os-release'));
    // /etc/passwd of the host is never reached
    expect(resolveInRoot(root, '/etc/up/etc/passwd')).toBeUndefined();
  });

  it('has `test -e` semantics for path assertions', () => {
    expect(pathExists(root, '/etc/os-release')).toBe(true);
    expect(pathExists(root, '/etc/dangling')).toBe(false);
    expect(pathExists(root, '/etc/loop1')).toBe(false);
    expect(pathExists(root, '/nope')).toBe(false);
    expect(resolveInRoot(root, '/etc/dangling', false)).toBe(join(root, 'etc/dangling'));
  });
});

const assertion = (a: NamedAssertion['assertion'], line: number): NamedAssertion => ({ name: `${a.kind} ${'path' in a ? a.path : 'name' in a ? a.name : a.argv.join(' ')}`, assertion: a, origin: { file: 'definitions/x.alma', line } });
const spec = {
  id: '9/x',
  assertions: [
    assertion({ kind: 'path-exists', path: '/etc/os-release' }, 1),
    assertion({ kind: 'path-absent', path: '/etc/os-release' }, 2),
    assertion({ kind: 'package-installed', name: 'findutils' }, 3),
    assertion({ kind: 'package-absent', name: 'bash' }, 4),
    assertion({ kind: 'command-output', argv: ['cat', '/etc/locale.conf'], matches: 'LANG="C\\.utf8"' }, 5),
    assertion({ kind: 'command-succeeds', argv: ['false'] }, 6),
  ],
} as unknown as ImageSpec;

describe('assertions', () => {
  it('checks packages against the manifest and paths against the root, naming file:line', () => {
    const r = checkStaticAssertions(spec, root, { packages: ['bash-5.1.8-9.el9.x86_64', 'findutils-1:4.8.0-7.el9.x86_64'], note: '' });
    expect(r.map((x) => [x.name, x.ok, x.detail ?? '', x.origin])).toEqual([
      ['path-exists /etc/os-release', true, '', 'definitions/x.alma:1'],
      ['path-absent /etc/os-release', false, '/etc/os-release exists', 'definitions/x.alma:2'],
      ['package-installed findutils', true, '', 'definitions/x.alma:3'],
      ['package-absent bash', false, 'bash is installed (bash-5.1.8-9.el9.x86_64)', 'definitions/x.alma:4'],
    ]);
  });

  it('fails package assertions of an image without an rpm database, saying why', () => {
    const r = checkStaticAssertions(spec, root, { packages: null, note: 'no rpm database in the image' });
    expect(r.filter((x) => x.kind.startsWith('package-')).map((x) => [x.ok, x.detail])).toEqual([
      [false, 'cannot be checked: no rpm database in the image'],
      [false, 'cannot be checked: no rpm database in the image'],
    ]);
  });

  it('checks commands by exit code and output', async () => {
    const outputs: Record<string, { code: number; stdout: string }> = { cat: { code: 0, stdout: 'LANG="C.utf8"\n' }, false: { code: 1, stdout: '' } };
    const r = await checkCommandAssertions(spec, async (argv) => ({ ...outputs[argv[0]!]!, stderr: '', timedOut: false }));
    expect(r.map((x) => [x.name, x.ok, x.detail ?? ''])).toEqual([
      ['command-output cat /etc/locale.conf', true, ''],
      ['command-succeeds false', false, 'exit code 1'],
    ]);
    const bad = await checkCommandAssertions(spec, async () => ({ code: 0, stdout: 'LANG=en_US\n', stderr: '', timedOut: false }));
    expect(bad[0]!.detail).toBe('output does not match /LANG="C\\.utf8"/: "LANG=en_US"');
  });

  it('knows a package name from its NEVRA', () => {
    expect(nevraName('findutils-1:4.8.0-7.el9.x86_64')).toBe('findutils');
    expect(nevraName('glibc-minimal-langpack-2.34-168.el9_6.14.x86_64')).toBe('glibc-minimal-langpack');
  });
});

describe.skipIf(spawnSync('sh', ['-c', 'command -v rpm']).status !== 0)('readManifest with the host rpm', () => {
  it('reads an empty database and says when there is none', async () => {
    const r = mkdtempSync(join(tmpdir(), 'almac-rpmroot-'));
    try {
      expect(findRpmDb(r)).toBeUndefined();
      const none = await readManifest(r, r);
      expect(none.packages).toBeNull();
      expect(renderManifest('9/x', none)).toMatch(/^# 9\/x: no rpm database in the image/);
      const init = spawnSync('rpm', ['--root', r, '--dbpath', '/var/lib/rpm', '--initdb'], { encoding: 'utf8' });
      expect(init.status, init.stderr).toBe(0);
      expect(findRpmDb(r)).toBe('/var/lib/rpm');
      const empty = await readManifest(r, r);
      expect(empty.packages).toEqual([]);
    } finally {
      rmSync(r, { recursive: true, force: true });
    }
  });
});
