// --repo options: what is accepted, how each repository is reached, and the GPG policy.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileProject } from '../../src/project.js';
import { derivedBuilderHash, gpgFor, parseRepoOptions, renderDerivedContainerfile, renderRepoFile, RepoOptionError } from '../../src/runner/repos.js';
import { REPO_ROOT } from '../helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'almac-repos-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const repo = join(tmp, 'repo');
mkdirSync(join(repo, 'repodata'), { recursive: true });
writeFileSync(join(repo, 'repodata', 'repomd.xml'), '<repomd/>');
const spec = compileProject(REPO_ROOT, { render: false }).images.find((s) => s.id === '9/minimal')!;

const err = (args: string[]): string => {
  try {
    parseRepoOptions(args, tmp);
  } catch (e) {
    expect(e).toBeInstanceOf(RepoOptionError);
    return (e as Error).message;
  }
  return 'no error';
};

describe('parseRepoOptions', () => {
  it('accepts directories (relative to the working directory), file:// URLs and http(s) URLs', () => {
    const r = parseRepoOptions(['a=repo', `b=file://${repo}`, 'c=http://127.0.0.1:8080/x', 'd=https://mirror.example/9/BaseOS/$basearch/os'], tmp);
    expect(r).toEqual([
      { name: 'a', source: 'repo', kind: 'dir', dir: repo, local: true },
      { name: 'b', source: `file://${repo}`, kind: 'dir', dir: repo, local: true },
      { name: 'c', source: 'http://127.0.0.1:8080/x', kind: 'url', url: 'http://127.0.0.1:8080/x/', local: true },
      { name: 'd', source: 'https://mirror.example/9/BaseOS/$basearch/os', kind: 'url', url: 'https://mirror.example/9/BaseOS/$basearch/os/', local: false },
    ]);
    expect(parseRepoOptions(['x=http://localhost/r/', 'y=http://[::1]:81/r/'], tmp).map((o) => o.local)).toEqual([true, true]);
  });

  it('explains what is wrong', () => {
    expect(err(['repo'])).toMatch(/--repo expects NAME=URL or NAME=DIR/);
    expect(err(['a=repo', 'a=repo'])).toBe('--repo a is given twice');
    expect(err(['a=nowhere'])).toMatch(/nowhere is not a directory/);
    expect(err([`a=${tmp}`])).toMatch(/is not a package repository \(no repodata\/repomd\.xml; run createrepo_c on it\)/);
    expect(err(['a=rsync://m/r/'])).toMatch(/unsupported URL scheme/);
    expect(err(['a=https://m/$contentdir/r/'])).toMatch(/only \$releasever and \$basearch may be used in https:\/\/m\/\$contentdir\/r\/, not \$contentdir/);
  });
});

describe('GPG policy', () => {
  const [local, remoteBase, remoteOther] = parseRepoOptions([`fixture=${repo}`, 'baseos=https://m.example/9/BaseOS/x86_64/os/', 'mine=https://m.example/mine/'], tmp);

  it('never checks local or loopback repositories', () => {
    expect(gpgFor(local!, spec, false)).toEqual({ gpgcheck: false });
  });

  it("checks remote ones with the key of the definition's repository of the same name", () => {
    expect(gpgFor(remoteBase!, spec, false)).toEqual({ gpgcheck: true, gpgkey: spec.repositories.find((r) => r.id === 'baseos')!.gpgkey });
  });

  it('refuses a remote repository whose key is unknown, unless --no-gpgcheck', () => {
    expect(() => gpgFor(remoteOther!, spec, false)).toThrow(/9\/minimal defines no repository 'mine' to take the key from \(its repositories: baseos, appstream\)/);
    expect(gpgFor(remoteOther!, spec, true)).toEqual({ gpgcheck: false });
  });
});

describe('the derived builder', () => {
  it('holds exactly the given repositories', () => {
    const repos = [{ name: 'fixture', baseurl: 'file:///srv/almac-repos/fixture/', gpgcheck: false }, { name: 'baseos', baseurl: 'http://127.0.0.1:9/baseos/', gpgcheck: true, gpgkey: 'file:///etc/pki/rpm-gpg/K' }];
    expect(renderRepoFile(repos)).toBe([
      '# Written by almac (--repo)',
      '[fixture]', 'name=fixture (almac --repo)', 'baseurl=file:///srv/almac-repos/fixture/', 'enabled=1', 'gpgcheck=0', 'repo_gpgcheck=0', 'skip_if_unavailable=False', '',
      '[baseos]', 'name=baseos (almac --repo)', 'baseurl=http://127.0.0.1:9/baseos/', 'enabled=1', 'gpgcheck=1', 'gpgkey=file:///etc/pki/rpm-gpg/K', 'repo_gpgcheck=0', 'skip_if_unavailable=False', '',
    ].join('\n'));
    const d = { platform: 'linux/amd64', sysbaseRef: 'b:1', sysbaseId: 'abc', repos, localDirs: { fixture: repo } };
    expect(renderDerivedContainerfile(d, { a: 'b' })).toBe([
      '# Derived builder written by almac: SYSBASE with exactly the --repo repositories.',
      'FROM abc',
      'RUN rm -f /etc/yum.repos.d/*.repo',
      'COPY almac.repo /etc/yum.repos.d/almac.repo',
      'COPY repos/ /srv/almac-repos/',
      'LABEL a="b"',
      '',
    ].join('\n'));
  });

  it('is rebuilt when a local repository changes', () => {
    const d = { platform: 'linux/amd64', sysbaseRef: 'b:1', sysbaseId: 'abc', repos: [], localDirs: { fixture: repo } };
    const before = derivedBuilderHash(d);
    writeFileSync(join(repo, 'repodata', 'repomd.xml'), '<repomd revision="2"/>');
    expect(derivedBuilderHash(d)).not.toBe(before);
    expect(derivedBuilderHash({ ...d, sysbaseId: 'def' })).not.toBe(derivedBuilderHash(d));
  });
});
