// The pieces of `almac library` that need no engine: DOI tags from the definitions, DOI architecture
// names, the bashbrew-rule validator (each rule broken once), and the library file it accepts.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { doiArchitecture, parsePlatform } from '../../src/library/architectures.js';
import { planLibrary } from '../../src/library/entries.js';
import { renderLibraryFile } from '../../src/library/library-file.js';
import { validateLibraryFile } from '../../src/library/validate.js';
import { compileProject } from '../../src/project.js';
import { REPO_ROOT } from '../helpers/project.js';

const specs = compileProject(REPO_ROOT, { render: false }).images;

describe('DOI tags and architectures from the definitions', () => {
  const plan = planLibrary(specs, specs, '20261201');
  const tags = Object.fromEntries(plan.map((e) => [e.spec.id, e.tags.join(', ')]));

  it('marks exactly default and minimal as official, as the definitions declare', () => {
    expect([...new Set(plan.map((e) => e.type))]).toEqual(['default', 'minimal']);
    expect(plan.map((e) => e.library)).toEqual(plan.map(() => 'almalinux'));
  });

  it('gives latest and minimal to the newest numbered release only, and kitten no major alias', () => {
    expect(tags).toEqual({
      '8/default': '8, 8.10, 8.10-20261201',
      '9/default': '9, 9.8, 9.8-20261201',
      '10/default': 'latest, 10, 10.2, 10.2-20261201',
      '10-kitten/default': '10-kitten, 10-kitten-20261201',
      '8/minimal': '8-minimal, 8.10-minimal, 8.10-minimal-20261201',
      '9/minimal': '9-minimal, 9.8-minimal, 9.8-minimal-20261201',
      '10/minimal': 'minimal, 10-minimal, 10.2-minimal, 10.2-minimal-20261201',
      '10-kitten/minimal': '10-kitten-minimal, 10-kitten-minimal-20261201',
    });
  });

  it('uses DOI architecture names, without amd64/v2', () => {
    const arches = Object.fromEntries(plan.map((e) => [e.spec.id, e.architectures.map((a) => a.arch).join(' ')]));
    expect(arches['9/default']).toBe('i386 amd64 ppc64le s390x arm64v8');
    expect(arches['10/minimal']).not.toContain('v2');
    expect(arches['10-kitten/default']).toContain('riscv64');
    expect(doiArchitecture(parsePlatform('linux/amd64/v2'))).toBeUndefined();
    expect(doiArchitecture(parsePlatform('linux/arm64/v8'))).toBe('arm64v8');
    expect(doiArchitecture(parsePlatform('linux/arm/v7'))).toBe('arm32v7');
  });
});

const GOOD = renderLibraryFile({
  name: 'almalinux',
  maintainers: ['The AlmaLinux OS Foundation <cloud-infra@almalinux.org> (@AlmaLinux)'],
  gitRepo: 'https://github.com/AlmaLinux/container-images.git',
  entries: [
    { tags: ['latest', '10', '10.2'], gitFetch: 'refs/heads/10', gitCommit: 'a'.repeat(40), directories: [{ arch: 'amd64', directory: 'default/amd64/' }, { arch: 'arm64v8', directory: 'default/arm64v8/' }] },
    { tags: ['minimal', '10-minimal'], gitFetch: 'refs/heads/10', gitCommit: 'b'.repeat(64), directories: [{ arch: 'amd64', directory: 'minimal/amd64/' }] },
  ],
});

describe('the bashbrew-rule validator', () => {
  it('accepts the file almac renders', () => {
    expect(validateLibraryFile(GOOD)).toEqual([]);
  });

  const broken: [string, (t: string) => string, RegExp][] = [
    ['a tag outside the grammar', (t) => t.replace('10.2', '10.2+x'), /tag `10\.2\+x` does not match/],
    ['a tag repeated across entries', (t) => t.replace('minimal, 10-minimal', 'minimal, 10'), /tag `10` is already used by the entry on line 5/],
    ['a trailing comma', (t) => t.replace('latest, 10, 10.2', 'latest, 10, 10.2,'), /`Tags` has an empty element/],
    ['amd64v2', (t) => t.replace('Architectures: amd64, arm64v8', 'Architectures: amd64, arm64v8, amd64v2'), /`amd64v2` is not one of bashbrew's architectures/],
    ['a short commit', (t) => t.replace('a'.repeat(40), 'abc123'), /is not a commit id of 40 or 64 hex digits/],
    ['a bad GitFetch', (t) => t.replace('refs/heads/10\n', 'refs/heads/1*\n'), /does not match \^refs/],
    ['a maintainer without a handle', (t) => t.replace(' (@AlmaLinux)', ''), /maintainer `.*` is not `Name <email> \(@handle\)`/],
    ['Tags in the global paragraph', (t) => t.replace('GitRepo:', 'Tags: x\nGitRepo:'), /first \(global\) paragraph may not have `Tags`/],
    ['a line of only spaces', (t) => t.replace('\n\nTags: minimal', '\n   \nTags: minimal'), /a line of only spaces/],
    ['an indented comment', (t) => t.replace('GitRepo:', '  # note\nGitRepo:'), /an indented `#` line/],
    ['no GitCommit', (t) => t.replace(`GitCommit: ${'b'.repeat(64)}\n`, ''), /the entry has no `GitCommit`/],
    ['a directory for an unlisted architecture', (t) => t.replace('minimal/amd64/\n', 'minimal/amd64/\ns390x-Directory: minimal/s390x/\n'), /`s390x-Directory` is for an architecture the entry does not list/],
  ];
  for (const [what, edit, message] of broken) {
    it(`rejects ${what}`, () => {
      const text = edit(GOOD);
      expect(text).not.toBe(GOOD);
      expect(validateLibraryFile(text).map((p) => p.message).join('\n')).toMatch(message);
    });
  }

  const deb822 = spawnSync('/usr/bin/python3', ['-c', 'import debian.deb822'], { encoding: 'utf8' });
  it.skipIf(deb822.status !== 0)('agrees with python3-debian\'s deb822 on the fields of the file it accepts', () => {
    const py = 'import sys, json\nfrom debian.deb822 import Deb822\nprint(json.dumps([dict(p) for p in Deb822.iter_paragraphs(sys.stdin, use_apt_pkg=False)]))';
    const r = spawnSync('/usr/bin/python3', ['-c', py], { input: GOOD, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const paragraphs = JSON.parse(r.stdout) as Record<string, string>[];
    expect(paragraphs.map((p) => Object.keys(p))).toEqual([
      ['Maintainers', 'GitRepo'],
      ['Tags', 'GitFetch', 'GitCommit', 'amd64-Directory', 'arm64v8-Directory', 'Architectures'],
      ['Tags', 'GitFetch', 'GitCommit', 'amd64-Directory', 'Architectures'],
    ]);
    expect(paragraphs[2]!['GitCommit']).toBe('b'.repeat(64));
  });
});
