// Where images are published, in the language: registries, per-registry repository names, the
// newest-release tag rule, one date per run, and the diagnostics for what registries would reject.
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/project.js';
import { references, runDate } from '../../src/publish/references.js';
import { at, compileInline, diagnostics, reported } from '../helpers/inline.js';
import { REPO_ROOT as ROOT } from '../helpers/paths.js';

const REGISTRIES = 'registry one.example {\n  location one.example/ns\n}\nregistry two.example {\n  location two.example:5000/other/ns\n}\n';
const image = (naming: string, releases = '[9, 10]') => `image t {\n  releases ${releases}\n  install dnf\n  naming {\n${naming}\n  }\n}\n`;

describe('the real definitions', () => {
  const c = compileProject(ROOT, { render: false });
  const spec = (id: string) => c.images.find((s) => s.id === id)!;

  it('9/default goes to quay.io and ghcr.io as `almalinux`, never to docker.io, and has no `latest`', () => {
    const refs = references(spec('9/default'), '20260102');
    expect(refs).toEqual([
      'quay.io/almalinuxorg/almalinux:9', 'quay.io/almalinuxorg/almalinux:9.8', 'quay.io/almalinuxorg/almalinux:9.8-20260102',
      'ghcr.io/almalinux/almalinux:9', 'ghcr.io/almalinux/almalinux:9.8', 'ghcr.io/almalinux/almalinux:9.8-20260102',
    ]);
  });

  it('10/default, the newest release, carries `latest`; 10-kitten (rolling) does not', () => {
    expect(references(spec('10/default'))).toContain('quay.io/almalinuxorg/almalinux:latest');
    expect(references(spec('10-kitten/default')).some((r) => r.endsWith(':latest'))).toBe(false);
    expect(references(spec('8/default')).some((r) => r.endsWith(':latest'))).toBe(false);
  });

  it('other images go to all three registries as <release>-<image>', () => {
    expect(spec('9/minimal').publish.map((t) => `${t.location}/${t.repository}`)).toEqual([
      'docker.io/almalinux/9-minimal', 'quay.io/almalinuxorg/9-minimal', 'ghcr.io/almalinux/9-minimal',
    ]);
    expect(spec('9/minimal').publish[0]!.tags).toEqual(['latest', '9', '9.8', '9.8-{date}']);
  });

  it('no two images push the same reference', () => {
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const all = c.images.flatMap((s) => references(s));
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('publish, unpublish and newest-release-tag', () => {
  it('publish names the repository per registry; a later publish renames; unpublish drops', () => {
    const text = REGISTRIES + image('    tags ["{version}"]\n    publish [one.example, two.example] as "{release}-{image}"\n    publish two.example as special\n    when release = 10 {\n      unpublish one.example\n    }');
    const c = compileInline(text);
    expect(reported(c)).toEqual([]);
    const nine = c.images.find((s) => s.release === '9')!;
    const ten = c.images.find((s) => s.release === '10')!;
    expect(references(nine)).toEqual(['one.example/ns/9-t:9', 'two.example:5000/other/ns/special:9']);
    expect(references(ten)).toEqual(['two.example:5000/other/ns/special:10']);
  });

  it('newest-release-tag goes to the highest release with a version, and names its tag in the local tags', () => {
    const releases = (n: string, version?: string) => `release ${n} {\n  releasever ${n.split('-')[0]}\n${version ? `  version ${version}\n` : ''}  builder quay.io/almalinuxorg/almalinux:9\n  platforms [linux/amd64]\n}\n`;
    const more = { 'definitions/more.alma': releases('11', '11.1') + releases('12', '12.0') + releases('12-next') };
    const text = REGISTRIES + image('    tags ["{release}"]\n    newest-release-tag latest stable\n    publish one.example as shared', '[11, 12, 12-next]');
    const c = compileInline(text, more);
    expect(reported(c)).toEqual([]);
    expect(Object.fromEntries(c.images.map((s) => [s.id, s.naming.tags]))).toEqual({ '11/t': ['11'], '12/t': ['12', 'latest', 'stable'], '12-next/t': ['12-next'] });
  });

  it('E371: a misspelt registry, with a suggestion, at its file:line:col', () => {
    const text = REGISTRIES + image('    publish [one.exmaple] as x');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E371', at: at(text, 'one.exmaple'), message: '`one.exmaple` is not a declared registry', hint: 'one.example' }]));
  });

  it('E370: a registry location that is not HOST/NAMESPACE', () => {
    const text = 'registry bad {\n  location "Quay.io"\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E370', at: at(text, '"Quay.io"'), message: 'registry host and namespace' }]));
  });

  it('E208: publish without `as`', () => {
    const text = REGISTRIES + image('    publish one.example');
    expect(reported(compileInline(text))[0]?.code).toBe('E208');
  });

  it('E430: a tag outside the OCI tag grammar once filled in, at the statement that wrote it', () => {
    const text = REGISTRIES + image('    tags ["-{version}", "{release}"]\n    publish one.example as x', '[9]');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E430', at: at(text, 'tags'), message: '9/t: tag `-9` is not a valid OCI tag' }]));
  });

  it('E430: a tag longer than 128 characters', () => {
    const text = REGISTRIES + image(`    tags ["${'a'.repeat(125)}-{date}"]\n    publish one.example as x`, '[9]');
    expect(reported(compileInline(text)).map((d) => d.code)).toEqual(['E430']);
  });

  it('E431: a repository name the registry would reject', () => {
    const text = REGISTRIES + image('    tags [a]\n    publish one.example as "{release}__-x"', '[9]');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E431', at: at(text, 'publish'), message: 'repository name `9__-x` is not valid' }]));
  });

  it('E432: two images pushing the same reference, pointing at both', () => {
    const text = REGISTRIES + image('    tags [latest]\n    publish one.example as shared') + 'image u {\n  releases [9]\n  install dnf\n  naming {\n    tags [latest]\n    publish one.example as shared\n  }\n}\n';
    const c = compileInline(text);
    const d = reported(c);
    expect(d.map((x) => x.code)).toEqual(['E432', 'E432']); // 9/t and 10/t collide with 9/u… and each other
    expect(d[0]!.message).toContain('one.example/ns/shared:latest');
    expect(c.diagnostics[0]!.related?.length).toBe(1);
  });
});

describe('one date per run', () => {
  it('SOURCE_DATE_EPOCH decides {date} when set, in UTC', () => {
    expect(runDate({ SOURCE_DATE_EPOCH: '1767311999' }).date).toBe('20260101'); // 2026-01-01T23:59:59Z
    expect(runDate({ SOURCE_DATE_EPOCH: '1767312000' }).date).toBe('20260102');
  });
  it('otherwise the clock at the run start, in UTC', () => {
    expect(runDate({}, () => Date.UTC(2026, 11, 31, 23, 30)).date).toBe('20261231');
  });
  it('an invalid SOURCE_DATE_EPOCH is an error, not a silent fallback', () => {
    expect(() => runDate({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/SOURCE_DATE_EPOCH/);
  });
});
