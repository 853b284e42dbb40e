// Package version changes in `almac diff`, from locks under generated/locks/ (written here with the
// real lock writer, by hand-picked package sets) committed to a real repository.
import { describe, expect, it } from 'vitest';
import { renderLock, type LockedPackage } from '../../src/lock/lockfile.js';
import type { ImageSpec } from '../../src/model/spec.js';
import { compileSources } from '../../src/project.js';
import type { DiffReport } from '../../src/review/model.js';
import { definitionSources, runCli } from '../helpers/project.js';
import { projectRepo, type Repo } from './repo.js';

const minimal9 = compileSources('/project', definitionSources(), { render: false }).images.find((s) => s.id === '9/minimal')!;

function pkg(name: string, evr: string, arch: string, checksum = `sha256:${name}-${evr}-${arch}`): LockedPackage {
  const m = /^(?:(\d+):)?([^-]+)-(.+)$/.exec(evr)!;
  return { name, epoch: Number(m[1] ?? 0), version: m[2]!, release: m[3]!, arch, checksum, repository: 'baseos' };
}

/** Writes the lock of 9/minimal on one architecture, as `almac lock` would. */
function writeLock(repo: Repo, spec: ImageSpec, basearch: string, packages: LockedPackage[]): void {
  const platform = spec.platforms.find((p) => p.basearch === basearch)!;
  repo.write(`generated/locks/${spec.release}-${spec.image}-${basearch}.lock.json`, renderLock(spec, platform, packages, ['baseos', 'appstream']));
}

async function versionChanges(repo: Repo): Promise<DiffReport['images'][number]['changes']> {
  const r = await runCli(['diff', 'HEAD', '--json', '--root', repo.root]);
  if (r.code !== 0) throw new Error(r.stderr);
  const report = JSON.parse(r.stdout) as DiffReport;
  expect(report.images.map((i) => i.id)).toEqual(['9/minimal']);
  return report.images[0]!.changes;
}

describe('almac diff with package locks', () => {
  it('reports version changes once when all architectures agree, and names the locks otherwise', async () => {
    const repo = projectRepo();
    for (const arch of ['x86_64', 'aarch64']) {
      writeLock(repo, minimal9, arch, [pkg('bash', '5.1.8-9.el9', arch), pkg('glibc', '2.34-100.el9', arch), pkg('tzdata', '2024a-1.el9', 'noarch'), pkg('libusbx', '1.0.26-1.el9', arch)]);
    }
    repo.commit('locks');
    writeLock(repo, minimal9, 'x86_64', [pkg('bash', '5.1.8-10.el9', 'x86_64'), pkg('glibc', '2.34-125.el9', 'x86_64'), pkg('tzdata', '2024a-1.el9', 'noarch'), pkg('zlib', '1.2.11-40.el9', 'x86_64')]);
    writeLock(repo, minimal9, 'aarch64', [pkg('bash', '5.1.8-9.el9', 'aarch64'), pkg('glibc', '2.34-125.el9', 'aarch64'), pkg('tzdata', '2024a-1.el9', 'noarch', 'sha256:rebuilt'), pkg('zlib', '1.2.11-40.el9', 'aarch64')]);

    expect(await versionChanges(repo)).toEqual([
      { category: 'versions', kind: 'changed', subject: 'bash (in the x86_64 lock)', before: '5.1.8-9.el9', after: '5.1.8-10.el9' },
      { category: 'versions', kind: 'changed', subject: 'glibc', before: '2.34-100.el9', after: '2.34-125.el9' },
      { category: 'versions', kind: 'removed', subject: 'libusbx', before: '1.0.26-1.el9' },
      // Same version, new checksum: rebuilt upstream.
      { category: 'versions', kind: 'changed', subject: 'tzdata (in the aarch64 lock)', before: '2024a-1.el9 (sha256:tzdata-2024a-…)', after: '2024a-1.el9 (sha256:rebuilt)' },
      { category: 'versions', kind: 'added', subject: 'zlib', after: '1.2.11-40.el9' },
    ]);
  });

  it('reports a lock that appears for a new architecture as one change, not as every package added', async () => {
    const repo = projectRepo();
    writeLock(repo, minimal9, 'x86_64', [pkg('bash', '5.1.8-9.el9', 'x86_64')]);
    repo.commit('x86_64 lock');
    writeLock(repo, minimal9, 'ppc64le', [pkg('bash', '5.1.8-9.el9', 'ppc64le'), pkg('glibc', '1:2.34-100.el9', 'ppc64le')]);
    expect(await versionChanges(repo)).toEqual([{ category: 'versions', kind: 'added', subject: 'lock for ppc64le' }]);
  });

  it('prints the epoch when it is not zero', async () => {
    const repo = projectRepo();
    writeLock(repo, minimal9, 'x86_64', [pkg('shadow-utils', '2:4.9-8.el9', 'x86_64')]);
    repo.commit('lock');
    writeLock(repo, minimal9, 'x86_64', [pkg('shadow-utils', '2:4.9-9.el9', 'x86_64')]);
    expect(await versionChanges(repo)).toEqual([{ category: 'versions', kind: 'changed', subject: 'shadow-utils', before: '2:4.9-8.el9', after: '2:4.9-9.el9' }]);
  });
});
