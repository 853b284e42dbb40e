// All 24 images against the upstream Containerfiles' facts (test/fixtures/reference): the same
// package set, dnf options, reinstall and clean; the same effects on the image root as a multiset of
// atoms in the same order wherever order matters; the same systemd stage and final configuration.
// Checked twice: on the resolved ImageSpec (what the definitions mean) and on the generated
// Containerfile read back with a Dockerfile parser and a shell parser (what the build runs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/project.js';
import { compareEffects } from '../helpers/effects/compare.js';
import { containerfileEffects } from '../helpers/effects/containerfile.js';
import { specEffects } from '../helpers/effects/spec.js';
import { loadUpstream, upstreamEffects } from '../helpers/effects/upstream.js';
import { GENERATED, REPO_ROOT } from '../helpers/project.js';
import { DELIBERATE_DIFFERENCES, SPELLING_DIFFERENCES, reconcile } from './deliberate-differences.js';

const upstream = loadUpstream();
const compilation = compileProject(REPO_ROOT);

it('has facts for 24 images and the compiler builds the same 24', () => {
  expect(upstream).toHaveLength(24);
  expect(compilation.diagnostics).toEqual([]);
  expect(compilation.images.map((s) => s.id).sort()).toEqual(upstream.map((v) => v.id).sort());
});

for (const v of upstream) {
  describe(v.id, () => {
    const spec = compilation.images.find((s) => s.id === v.id);
    if (!spec) throw new Error(`the definitions do not build ${v.id}`);
    const containerfile = readFileSync(join(GENERATED, spec.outputs.containerfile), 'utf8');

    it('the resolved image has upstream’s effects', () => {
      const [u, ours] = [upstreamEffects(v), specEffects(spec)];
      expect(reconcile(v.id, u, ours)).toEqual([]);
      expect(compareEffects(u, ours)).toEqual([]);
    });

    it(`generated/${spec.outputs.containerfile} has upstream’s effects`, () => {
      const [u, ours] = [upstreamEffects(v), containerfileEffects(containerfile)];
      expect(reconcile(v.id, u, ours)).toEqual([]);
      expect(compareEffects(u, ours)).toEqual([]);
    });

    it('installs with -y --installroot /mnt/sys-root --releasever N --setopt install_weak_deps=false --nodocs', () => {
      const ours = containerfileEffects(containerfile);
      const releasever = v.release.split('-')[0]!; // 10-kitten installs with releasever 10
      expect(ours.install.options).toEqual(['--installroot=/mnt/sys-root', '--nodocs', `--releasever=${releasever}`, '--setopt=install_weak_deps=false', '-y']);
      expect(Boolean(ours.reinstall)).toBe(v.install.reinstall !== null);
      expect(ours.cleanAfterInstall).toBe(v.install.clean_all_after_install);
    });
  });
}

describe('the deliberate differences', () => {
  it('each has a reason and names images that exist', () => {
    for (const d of DELIBERATE_DIFFERENCES) {
      expect(d.reason.length, d.name).toBeGreaterThan(40);
      for (const id of d.images) expect(upstream.map((v) => v.id), d.name).toContain(id);
    }
  });

  it('are needed: without them the images they list differ from upstream', () => {
    for (const d of DELIBERATE_DIFFERENCES) {
      for (const id of d.images) {
        const spec = compilation.images.find((s) => s.id === id)!;
        const v = upstream.find((x) => x.id === id)!;
        const [u, ours] = [upstreamEffects(v), specEffects(spec)];
        // Apply every other difference, but not this one.
        for (const other of DELIBERATE_DIFFERENCES) if (other !== d && other.images.includes(id)) other.adjust(u, ours);
        expect(compareEffects(u, ours), `${d.name} (${id})`).not.toEqual([]);
      }
    }
  });

  it('spelling differences really occur in the files', () => {
    const all = upstream.flatMap((v) => v.post_install);
    const generated = compilation.images.map((s) => readFileSync(join(GENERATED, s.outputs.containerfile), 'utf8')).join('\n');
    expect(SPELLING_DIFFERENCES.every((d) => d.reason.length > 40)).toBe(true);
    // rm -f (not -rf) upstream for /etc/machine-id; almac's removals in the root are all rm -rf.
    expect(all.some((o) => o.op === 'remove' && o['force'] && !o['recursive'] && !o['scope'])).toBe(true);
    expect(generated).toContain('rm -rf /mnt/sys-root/etc/machine-id');
    expect(generated).not.toMatch(/\brm -f \/mnt\/sys-root/);
    // rm without -f upstream on the builder; rm -f in almac.
    expect(all.some((o) => o.op === 'remove' && o['scope'] === 'host' && !o['force'])).toBe(true);
    expect(generated).toContain('rm -f /etc/rpm/macros.image-language-conf');
    // ln -sfn, && joins (the shell reader rejects `;` between commands), RUNs per fragment.
    expect(generated).toContain('ln -sfn ../usr/share/zoneinfo/UTC /mnt/sys-root/etc/localtime');
    expect(generated).toMatch(/&& \\\n/);
  });
});
