// Squashing an image's layers into one reproducible rootfs tarball (whiteouts, opaque directories,
// owners, modes), and `almac library`'s errors for sources that do not hold what the definitions say.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeRootfsTarball } from '../../src/library/rootfs-tarball.js';
import { REPO_ROOT } from '../helpers/project.js';

const work = mkdtempSync(join(tmpdir(), 'almac-layers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function tarOf(name: string, build: (dir: string) => void, compress = false): string {
  const dir = join(work, `${name}-src`);
  mkdirSync(dir, { recursive: true });
  build(dir);
  const out = join(work, `${name}.tar${compress ? '.gz' : ''}`);
  const r = spawnSync('tar', ['-C', dir, '--numeric-owner', '--owner=0', '--group=0', ...(compress ? ['-z'] : []), '-cf', out, '.']);
  expect(r.status, r.stderr?.toString()).toBe(0);
  return out;
}

function listing(tarball: string): string[] {
  const r = spawnSync('tar', ['-tvf', tarball, '--numeric-owner'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map((l) => { const f = l.split(/\s+/); return `${f[0]} ${f[1]} ${f[5]}${f[6] ? ` ${f.slice(6).join(' ')}` : ''}`; });
}

describe.skipIf(!isRoot)('layers → rootfs tarball (needs root)', () => {
  it('applies whiteouts and opaque directories of upper layers, and is byte-identical twice', async () => {
    const lower = tarOf('lower', (d) => {
      mkdirSync(join(d, 'etc/keep'), { recursive: true });
      mkdirSync(join(d, 'var/cache/dnf'), { recursive: true });
      writeFileSync(join(d, 'etc/gone'), 'old\n');
      writeFileSync(join(d, 'etc/keep/a'), 'a\n');
      writeFileSync(join(d, 'var/cache/dnf/x'), 'x\n');
      symlinkSync('../usr/share/zoneinfo/UTC', join(d, 'etc/localtime'));
    }, true);
    const upper = tarOf('upper', (d) => {
      mkdirSync(join(d, 'etc'), { recursive: true });
      mkdirSync(join(d, 'var/cache'), { recursive: true });
      writeFileSync(join(d, 'etc/.wh.gone'), '');
      writeFileSync(join(d, 'var/cache/.wh..wh..opq'), '');
      writeFileSync(join(d, 'var/cache/new'), 'new\n', { mode: 0o600 });
    });
    const a = join(work, 'a.tar.xz');
    const b = join(work, 'b.tar.xz');
    await writeRootfsTarball([lower, upper], a, 1_700_000_000, work);
    await writeRootfsTarball([lower, upper], b, 1_700_000_000, work);
    expect(sha(readFileSync(a))).toBe(sha(readFileSync(b)));
    const names = listing(a).map((l) => l.split(' ')[2]);
    expect(names).toContain('./etc/keep/a');
    expect(names).toContain('./var/cache/new');
    expect(names).not.toContain('./etc/gone');
    expect(names).not.toContain('./var/cache/dnf/');
    expect(names.some((n) => n!.includes('.wh.'))).toBe(false);
    expect(listing(a)).toContain('-rw------- 0/0 ./var/cache/new');
    expect(listing(a).find((l) => l.endsWith('./etc/localtime -> ../usr/share/zoneinfo/UTC'))).toMatch(/^lrwxrwxrwx 0\/0/);
  });

  it('never removes anything through a symbolic link a lower layer planted', async () => {
    const victim = join(work, 'victim');
    mkdirSync(victim, { recursive: true });
    writeFileSync(join(victim, 'important'), 'keep me\n');
    const lower = tarOf('evil-lower', (d) => symlinkSync(victim, join(d, 'host')));
    const upper = tarOf('evil-upper', (d) => {
      mkdirSync(join(d, 'host'), { recursive: true });
      writeFileSync(join(d, 'host/.wh.important'), '');
      writeFileSync(join(d, 'host/.wh..wh..opq'), '');
    });
    await writeRootfsTarball([lower, upper], join(work, 'evil.tar.xz'), 1_700_000_000, work).catch(() => undefined);
    expect(readFileSync(join(victim, 'important'), 'utf8')).toBe('keep me\n');
  });
});

describe('almac library errors', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [join(REPO_ROOT, 'bin/almac.js'), ...args], { encoding: 'utf8', cwd: REPO_ROOT });

  /** An OCI layout with one linux/amd64 image (empty layer) under `ref`. */
  function layout(ref: string): string {
    const dir = join(work, `oci-${ref}`);
    mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
    const put = (data: string | Buffer) => {
      writeFileSync(join(dir, 'blobs/sha256', sha(data)), data);
      return { digest: `sha256:${sha(data)}`, size: Buffer.byteLength(data) };
    };
    const layer = put(Buffer.alloc(1024));
    const config = put(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }));
    const manifest = put(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }] }));
    const index = put(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os: 'linux', architecture: 'amd64' } }] }));
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...index, annotations: { 'org.opencontainers.image.ref.name': ref } }] }));
    return dir;
  }

  it('names the platform a source lacks, with what its manifest list holds', () => {
    const dir = layout('9-minimal');
    const r = cli(['library', '9/minimal', '--from', `oci:${dir}:{release}-{image}`, '--platform', 'linux/amd64', '--platform', 'linux/arm64', '--out', join(work, 'out1')]);
    expect(r.stderr).toContain('9/minimal: oci:');
    expect(r.stderr).toContain('has no image for linux/arm64 (DOI arm64v8); its manifest list holds linux/amd64');
    expect(r.status).toBe(1);
  });

  it('names a missing tag in the layout, and images outside every library', () => {
    const dir = layout('other');
    const r = cli(['library', '9/minimal', '--from', `oci:${dir}:9-minimal`, '--platform', 'linux/amd64', '--out', join(work, 'out2')]);
    expect(r.stderr).toContain('no image tagged `9-minimal`; the layout holds `other`');
    expect(r.status).toBe(3);
    const micro = cli(['library', '9/micro', '--from', `oci:${dir}:other`, '--out', join(work, 'out3')]);
    expect(micro.stderr).toContain('none of the selected images is in an official library');
    expect(micro.status).toBe(1);
  });

  it('--validate reports each broken rule with its line', () => {
    const f = join(work, 'almalinux');
    writeFileSync(f, 'Maintainers: Jane (@jane)\nGitRepo: https://example.invalid/x.git\n\nTags: 9, 9\nGitFetch: refs/heads/9\nGitCommit: 123\nArchitectures: amd64v2\n');
    const r = cli(['library', '--validate', f]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${f}:4: tag \`9\` is already used by the entry on line 4`);
    expect(r.stderr).toContain(`${f}:6: \`GitCommit: 123\` is not a commit id of 40 or 64 hex digits`);
    expect(r.stderr).toContain(`${f}:7: \`amd64v2\` is not one of bashbrew's architectures`);
  });
});
