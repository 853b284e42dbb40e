// The fixture repositories cover the whole matrix, proven from the compiler itself: every package name
// that `almac print --json` lists for an image (installed, reinstalled or removed; in the first
// transaction, in later post-install transactions, or in the builder) exists in that release's fixture
// repository, as a package name or as something a package provides. Each release's repository also
// carries that release's own release package. Skipped (visibly) only when rpmbuild / createrepo_c are
// missing; scripts/setup-engine.sh installs them, CI does.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { almac, ensureFixtureRepos, fixtureRepoFor, RELEASES } from './build-env.js';

const missingTool = ['rpmbuild', 'createrepo_c'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status !== 0);
const SKIP = missingTool ? `${missingTool} is not installed (scripts/setup-engine.sh installs it)` : undefined;

interface PrintedImage {
  id: string;
  release: string;
  packages: { install: string[]; remove: string[]; reinstall: string[] };
  steps: { operation: { op: string; packages?: string[] } }[];
}

interface RepoIndex {
  /** package names */
  names: Set<string>;
  /** everything any package provides (names included) */
  provides: Set<string>;
  /** name -> "version-release" */
  evr: Map<string, string>;
}

/** Names and provides of a repository, read from its repodata (primary.xml.gz). */
function readRepo(dir: string): RepoIndex {
  const repomd = readFileSync(join(dir, 'repodata', 'repomd.xml'), 'utf8');
  const href = /<data type="primary">[\s\S]*?<location href="([^"]+)"/.exec(repomd)?.[1];
  if (!href) throw new Error(`${dir}: repomd.xml names no primary metadata`);
  const xml = gunzipSync(readFileSync(join(dir, href))).toString('utf8');
  const index: RepoIndex = { names: new Set(), provides: new Set(), evr: new Map() };
  for (const m of xml.matchAll(/<package type="rpm">([\s\S]*?)<\/package>/g)) {
    const body = m[1]!;
    const name = /<name>([^<]+)<\/name>/.exec(body)![1]!;
    const v = /<version epoch="\d+" ver="([^"]+)" rel="([^"]+)"\/>/.exec(body);
    index.names.add(name);
    index.provides.add(name);
    if (v) index.evr.set(name, `${v[1]}-${v[2]}`);
    const prov = /<rpm:provides>([\s\S]*?)<\/rpm:provides>/.exec(body)?.[1] ?? '';
    for (const e of prov.matchAll(/<rpm:entry name="([^"]+)"/g)) index.provides.add(e[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
  }
  return index;
}

/** Every package name an image's build asks a package manager for. */
function requestedNames(img: PrintedImage): { name: string; where: string }[] {
  const out: { name: string; where: string }[] = [];
  for (const n of img.packages.install) out.push({ name: n, where: 'install' });
  for (const n of img.packages.reinstall) out.push({ name: n, where: 'reinstall' });
  for (const n of img.packages.remove) out.push({ name: n, where: 'remove' });
  for (const s of img.steps) for (const n of s.operation.packages ?? []) out.push({ name: n, where: `post ${s.operation.op}` });
  return out;
}

const globToRegExp = (g: string): RegExp => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

describe.skipIf(SKIP)(`fixture repositories cover every package of every image${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  const repos = new Map<string, RepoIndex>();
  let images: PrintedImage[] = [];

  beforeAll(async () => {
    await ensureFixtureRepos('x86_64');
    for (const r of RELEASES) repos.set(r, readRepo(fixtureRepoFor(r)));
    const list = await almac(['list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const parsed = JSON.parse(list.stdout) as { id: string }[] | { images: { id: string }[] };
    const ids = (Array.isArray(parsed) ? parsed : parsed.images).map((x) => x.id);
    images = await Promise.all(ids.map(async (id) => {
      const p = await almac(['print', id, '--json']);
      expect(p.code, p.stderr).toBe(0);
      return JSON.parse(p.stdout) as PrintedImage;
    }));
  }, 900_000);

  it('lists all 24 images, across the four releases', () => {
    expect(images.length).toBe(24);
    expect(new Set(images.map((i) => i.release))).toEqual(new Set(RELEASES));
  });

  it('every name an image installs, reinstalls or removes exists in its release\'s repository', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const img of images) {
      const repo = repos.get(img.release)!;
      for (const { name, where } of requestedNames(img)) {
        checked++;
        const found = /[*?]/.test(name) ? [...repo.names].some((n) => globToRegExp(name).test(n)) : repo.provides.has(name);
        if (!found) missing.push(`${img.id} (${where}): ${name}`);
      }
    }
    expect(checked).toBeGreaterThan(24 * 10);
    expect(missing).toEqual([]);
  });

  it('each release has its own release package and dist tag', () => {
    const expected: Record<string, { pkg: string; evr: RegExp }> = {
      '8': { pkg: 'almalinux-release', evr: /^8\.10-1\.el8$/ },
      '9': { pkg: 'almalinux-release', evr: /^9\.8-1\.el9$/ },
      '10': { pkg: 'almalinux-release', evr: /^10\.2-1\.el10$/ },
      '10-kitten': { pkg: 'almalinux-kitten-release', evr: /^10-1\.el10$/ },
    };
    for (const r of RELEASES) {
      const repo = repos.get(r)!;
      expect(repo.evr.get(expected[r]!.pkg), r).toMatch(expected[r]!.evr);
      expect(repo.provides.has('almalinux-release'), r).toBe(true);
      expect(repo.evr.get('bash'), r).toMatch(new RegExp(`\\.el${r === '8' ? '8' : r === '9' ? '9' : '10'}$`));
    }
    expect(repos.get('10-kitten')!.names.has('almalinux-release')).toBe(false);
  });
});
