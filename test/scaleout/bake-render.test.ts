// renderBake on images that the committed definitions do not have (yet): builders that differ
// within a release, release names bake does not accept as they are, values that look like bake
// interpolations. Starts from the real compiled images and changes one thing at a time.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ImageSpec } from '../../src/model/spec.js';
import { bakeTargetName, renderBake } from '../../src/phases/4-render/bake.js';
import { MATRIX_JQ } from '../../src/phases/4-render/workflow.js';
import { compileSources } from '../../src/project.js';
import { definitionSources } from '../helpers/project.js';
import { checkBakeFile } from './bake-schema.js';

const real = compileSources('/project', definitionSources(), { render: false }).images;
const release9 = () => structuredClone(real.filter((s) => s.release === '9'));

interface Bake {
  variable: Record<string, { default: string }>;
  group: Record<string, { targets: string[] }>;
  target: Record<string, { args: Record<string, string>; tags: string[] }>;
}
const render = (specs: ImageSpec[]) => JSON.parse(renderBake(specs)) as Bake;

describe('renderBake', () => {
  it('gives an image whose builder differs from its release\'s a SYSBASE variable of its own', () => {
    const specs = release9();
    specs.find((s) => s.image === 'toolbox')!.builder = 'quay.io/almalinuxorg/almalinux-toolbox-builder:9';
    const bake = render(specs);
    expect(checkBakeFile(bake)).toEqual([]);
    expect(bake.target['9-minimal']!.args).toEqual({ SYSBASE: '${SYSBASE_9}' });
    expect(bake.target['9-toolbox']!.args).toEqual({ SYSBASE: '${SYSBASE_9_TOOLBOX}' });
    expect(bake.variable['SYSBASE_9_TOOLBOX']).toEqual({ default: 'quay.io/almalinuxorg/almalinux-toolbox-builder:9' });
  });

  it('turns release names bake does not accept into valid target and group names', () => {
    const specs = release9().map((s) => ({ ...s, id: `9.6/${s.image}`, release: '9.6' }));
    const bake = render(specs);
    expect(checkBakeFile(bake)).toEqual([]);
    expect(Object.keys(bake.target)).toContain('9-6-minimal');
    expect(bake.group['release-9-6']!.targets).toContain('9-6-minimal');
    expect(bake.variable['SYSBASE_9_6']).toBeDefined();
  });

  it('escapes text that bake would otherwise interpolate', () => {
    const specs = release9();
    specs[0]!.naming = { ...specs[0]!.naming, repository: 'almalinux/odd', tags: ['a${b}', '%{c}', 'd-{date}'] };
    const bake = render(specs);
    expect(checkBakeFile(bake)).toEqual([]);
    expect(bake.target[bakeTargetName('9', specs[0]!.image)]!.tags).toEqual(['almalinux/odd:a$${b}', 'almalinux/odd:%%{c}', 'almalinux/odd:d-${DATE}']);
  });

  it('renders the same text whatever it is given, byte for byte (deterministic)', () => {
    expect(renderBake(release9())).toBe(renderBake(release9()));
  });

  const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' });
  it.skipIf(jq.status !== 0)(`names targets the way the workflow's jq program does (${jq.status === 0 ? jq.stdout.trim() : 'skipped: jq is not installed'})`, () => {
    const cases = [['9', 'minimal'], ['10-kitten', 'base'], ['9.6', 'micro'], ['10_x', 'weird.name+1']];
    const index = { images: cases.map(([release, image]) => ({ id: `${release}/${image}`, release, image })) };
    const r = spawnSync('jq', ['-c', MATRIX_JQ], { input: JSON.stringify(index), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { target: string }[]).map((m) => m.target)).toEqual(cases.map(([release, image]) => bakeTargetName(release!, image!)));
  });
});
