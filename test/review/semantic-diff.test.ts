// The semantic diff on the real definitions, edited in memory and compiled by the real compiler.
import { describe, expect, it } from 'vitest';
import { compileSources } from '../../src/project.js';
import type { Change, ImageDiff } from '../../src/review/model.js';
import { diffImageSets, editScript } from '../../src/review/semantic-diff.js';
import { definitionSources } from '../helpers/project.js';

const COMMON = 'definitions/fragments/common.alma';
const AXES = 'definitions/platforms-and-releases.alma';

function images(sources: Map<string, string>) {
  const c = compileSources('/project', sources, { render: false });
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`test bug: the edited definitions do not compile: ${errors[0]!.message}`);
  return { images: c.images, locks: new Map() };
}

/** The diff between the real definitions and the same with `edits` applied ([file, from, to], each `from` replaced everywhere). */
function diffAfter(...edits: [string, string | RegExp, string][]): { images: ImageDiff[]; unchanged: string[] } {
  const before = definitionSources();
  const after = new Map(before);
  for (const [file, from, to] of edits) {
    const text = after.get(file)!;
    const changed = typeof from === 'string' ? text.split(from).join(to) : text.replace(from, to);
    if (changed === text) throw new Error(`test bug: ${file} does not contain ${String(from)}`);
    after.set(file, changed);
  }
  return diffImageSets(images(before), images(after));
}

const changesOf = (d: { images: ImageDiff[] }, id: string): Change[] => d.images.find((i) => i.id === id)?.changes ?? [];

describe('the semantic diff', () => {
  it('ignores where things are written: renaming a fragment changes no image', () => {
    const d = diffAfter([COMMON, 'utc-localtime', 'utc-clock'], ['definitions/images/base.alma', 'utc-localtime', 'utc-clock'], ['definitions/images/default.alma', 'utc-localtime', 'utc-clock'], ['definitions/images/minimal.alma', 'utc-localtime', 'utc-clock'], ['definitions/images/micro.alma', 'utc-localtime', 'utc-clock']);
    expect(d.images).toEqual([]);
    expect(d.unchanged.length).toBeGreaterThan(0);
  });

  it('reports a step whose platform condition changed as one changed step', () => {
    const d = diffAfter([COMMON, 'when platform = linux/386 and release <= 9', 'when platform in [linux/386, linux/arm64] and release <= 9']);
    expect(d.images.map((i) => i.id)).toEqual(['8/base', '8/default', '8/init', '8/micro', '8/minimal', '8/toolbox', '9/base', '9/default', '9/init', '9/micro', '9/minimal', '9/toolbox']);
    const [change] = changesOf(d, '9/micro');
    expect(change).toMatchObject({ category: 'operations', kind: 'changed', subject: 'replace /etc/yum.repos.d/*.repo' });
    expect(change!.before).toMatch(/ {2}\[only on linux\/386\]$/);
    expect(change!.after).toMatch(/ {2}\[only on linux\/386, linux\/arm64\]$/);
  });

  it('reports unrelated steps added and removed as such, not as a change', () => {
    const d = diffAfter([COMMON, '    symlink /etc/localtime -> ../usr/share/zoneinfo/UTC\n', '    mkdir /etc/zoneinfo-marker\n']);
    expect(changesOf(d, '10/micro')).toEqual([
      { category: 'operations', kind: 'removed', subject: 'symlink /etc/localtime -> ../usr/share/zoneinfo/UTC' },
      { category: 'operations', kind: 'added', subject: 'mkdir /etc/zoneinfo-marker' },
    ]);
  });

  it('reports a new order of the same packages, which changes only the dnf command line', () => {
    const d = diffAfter(['definitions/images/micro.alma', 'install [coreutils-single, glibc-minimal-langpack]', 'install [glibc-minimal-langpack, coreutils-single]']);
    expect(changesOf(d, '9/micro')).toEqual([
      { category: 'packages', kind: 'changed', subject: 'install order', before: 'coreutils-single glibc-minimal-langpack', after: 'glibc-minimal-langpack coreutils-single' },
    ]);
  });

  it('reports platforms, versions and the tags that follow from them', () => {
    const d = diffAfter([AXES, /version 9\.8/, 'version 9.9'], [AXES, /platforms \[\n {4}linux\/386\n {4}linux\/amd64\n {4}linux\/ppc64le\n {4}linux\/s390x\n {4}linux\/arm64\n {2}\]\n\}\n\nrelease 9/, 'platforms [linux/amd64, linux/arm64]\n}\n\nrelease 9']);
    expect(changesOf(d, '8/minimal')).toEqual([
      // Without linux/386, the step that only ran there goes too.
      { category: 'operations', kind: 'removed', subject: expect.stringMatching(/^replace \/etc\/yum\.repos\.d\/\*\.repo .* {2}\[only on linux\/386\]$/) },
      { category: 'platforms', kind: 'removed', subject: 'linux/386' },
      { category: 'platforms', kind: 'removed', subject: 'linux/ppc64le' },
      { category: 'platforms', kind: 'removed', subject: 'linux/s390x' },
    ]);
    expect(changesOf(d, '9/minimal')).toEqual([
      { category: 'naming', kind: 'added', subject: 'tag 9.9' },
      { category: 'naming', kind: 'added', subject: 'tag 9.9-{date}' },
      { category: 'naming', kind: 'removed', subject: 'tag 9.8' },
      { category: 'naming', kind: 'removed', subject: 'tag 9.8-{date}' },
      { category: 'settings', kind: 'changed', subject: 'version', before: '9.8', after: '9.9' },
    ]);
  });

  it('reports labels per key', () => {
    const d = diffAfter(['definitions/images/toolbox.alma', 'label name almalinux-toolbox', 'label name almalinux-toolbox-ng']);
    expect(changesOf(d, '10/toolbox')).toEqual([{ category: 'config', kind: 'changed', subject: 'LABEL name', before: 'almalinux-toolbox', after: 'almalinux-toolbox-ng' }]);
  });
});

describe('editScript', () => {
  it('keeps the longest common subsequence and marks the rest', () => {
    const edits = editScript(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e']).map((e) => `${e.kind[0]}${e.index}`);
    expect(edits).toEqual(['s0', 'a1', 'r1', 's2', 's3', 'a4']);
  });
});
