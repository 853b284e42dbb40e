// The kickstart reader of the executor, against every committed kickstart and hand-written edge cases.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/project.js';
import { IGNORED_COMMANDS, KickstartError, parseKickstart, splitWords, UNSUPPORTED_COMMANDS } from '../../src/runner/kickstart.js';
import { kickstartRepos, rewriteKickstartRepos } from '../../src/runner/routes/kickstart.js';
import { REPO_ROOT } from '../helpers/paths.js';

const KS_DIR = join(REPO_ROOT, 'generated', 'kickstarts');
const images = compileProject(REPO_ROOT, { render: false }).images;

describe('every generated kickstart', () => {
  for (const f of readdirSync(KS_DIR).filter((n) => n.endsWith('.ks'))) {
    it(`${f} is read completely and agrees with its definition`, () => {
      const ks = parseKickstart(readFileSync(join(KS_DIR, f), 'utf8'));
      const spec = images.find((s) => `kickstarts/${f}` === s.outputs.kickstart)!;
      expect(spec).toBeDefined();
      expect(ks.packages).toBeDefined();
      expect(ks.packages!.include).toEqual(spec.packages.install);
      expect(ks.packages!.exclude).toEqual(spec.packages.exclude);
      expect(ks.packages!.excludedocs).toBe(!spec.docs);
      expect(ks.packages!.excludeWeakdeps).toBe(!spec.weakDeps);
      expect(ks.packages!.nocore).toBe(true);
      // every command is either known to be irrelevant for a container or reported
      for (const c of ks.commands) expect(IGNORED_COMMANDS.has(c.name) || UNSUPPORTED_COMMANDS.has(c.name), c.name).toBe(true);
      expect(ks.commands.filter((c) => UNSUPPORTED_COMMANDS.has(c.name))).toEqual([]);
      expect(ks.scripts.every((s) => s.kind === 'post' && s.erroronfail)).toBe(true);
      expect(ks.scripts[0]!.nochroot).toBe(true);
      // the url line is the definition's first repository
      const { repos } = kickstartRepos(ks, spec);
      expect(repos.map((r) => r.name)).toEqual(spec.repositories.map((r) => r.id));
      expect(repos.every((r) => r.gpgcheck && r.gpgkey?.startsWith('file:///etc/pki/rpm-gpg/'))).toBe(true);
    });
  }

  it('9/init: a --nochroot section, then one inside the root running systemctl', () => {
    const text = readFileSync(join(KS_DIR, 'almalinux-9-init.ks'), 'utf8');
    const lines = text.split('\n');
    const ks = parseKickstart(text);
    expect(ks.scripts.map((s) => [s.nochroot, s.line])).toEqual([
      [true, lines.indexOf('%post --nochroot --erroronfail') + 1],
      [false, lines.indexOf('%post --erroronfail') + 1],
    ]);
    expect(ks.scripts[1]!.body).toMatch(/^set -eu\nsystemctl set-default multi-user\.target\n/);
    expect(ks.scripts[0]!.body).toContain('root="${ANA_INSTALL_PATH:-/mnt/sysimage}"');
  });
});

describe('parseKickstart', () => {
  it('reads options, exclusions, groups and both spellings of the weak-deps option', () => {
    const ks = parseKickstart([
      'url --url="https://m.example/9/BaseOS/$basearch/os/"',
      "repo --name=extra --baseurl https://m.example/extra/ --cost=5 --excludepkgs=a,b",
      '%packages --excludeWeakdeps --inst-langs=en_US --ignoremissing',
      'bash',
      '-dnf  # no dnf',
      '@core',
      '-@docs',
      '%end',
      '%post --interpreter=/usr/bin/python3 --log=/root/post.log',
      'print(1)',
      '%end',
    ].join('\n'));
    expect(ks.repos).toMatchObject([
      { name: 'anaconda', fromUrl: true, baseurl: 'https://m.example/9/BaseOS/$basearch/os/' },
      { name: 'extra', baseurl: 'https://m.example/extra/', cost: 5, excludepkgs: ['a', 'b'] },
    ]);
    expect(ks.packages).toMatchObject({ excludeWeakdeps: true, excludedocs: false, nocore: false, ignoremissing: true, instLangs: 'en_US', include: ['bash'], exclude: ['dnf'], groups: ['core'], excludeGroups: ['docs'] });
    expect(ks.scripts).toEqual([{ kind: 'post', line: 9, nochroot: false, erroronfail: false, interpreter: '/usr/bin/python3', log: '/root/post.log', body: 'print(1)\n' }]);
  });

  it('says where a kickstart is wrong', () => {
    const err = (text: string): string => {
      try {
        parseKickstart(text);
      } catch (e) {
        expect(e).toBeInstanceOf(KickstartError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err('lang C\n%packages\nbash\n')).toBe('line 2: %packages has no %end');
    expect(err('%packages --nodocs\n%end\n')).toBe('line 1: %packages: unsupported option --nodocs');
    expect(err('repo --baseurl=http://x/\n')).toBe('line 1: repo needs --name');
    expect(err('repo --name=a\n')).toBe('line 1: repo a has no --baseurl, --url, --mirrorlist or --metalink');
    expect(err('%include /tmp/x.ks\n')).toBe('line 1: %include is not supported');
    expect(err('%bogus\n%end\n')).toBe('line 1: unknown section %bogus');
    expect(err('repo --name=a --baseurl=http://x/\nrepo --name=a --baseurl=http://y/\n')).toBe('line 2: repository a is defined twice');
    expect(err('lang "C\n')).toBe('line 1: No closing quotation');
  });

  it('splits words like a shell', () => {
    expect(splitWords(`a "b c" 'd e' f\\ g "h\\"i" # comment`)).toEqual(['a', 'b c', 'd e', 'f g', 'h"i']);
  });

  it('splits as Python\'s shlex.split(line, comments=True): an unquoted # ends the line, even inside a word', () => {
    expect(splitWords('a#b c')).toEqual(['a']);
    expect(splitWords('a"#"b c #x')).toEqual(['a#b', 'c']);
    expect(splitWords('"a\\$b"')).toEqual(['a\\$b']); // inside "…" a backslash escapes only " and \\
    expect(() => splitWords('"open', 3)).toThrow(/line 3: No closing quotation/);
  });
});

describe('rewriteKickstartRepos (livemedia-creator with --repo)', () => {
  it('replaces url and repo lines, keeping the base repository as url', () => {
    const text = '# c\nurl --url=https://a/\nrepo --name=appstream --baseurl=https://b/\nlang C\n';
    const out = rewriteKickstartRepos(text, [{ name: 'baseos', baseurl: 'file:///r/', gpgcheck: false }, { name: 'x', baseurl: 'http://127.0.0.1:1/x/', gpgcheck: false }], 'baseos');
    expect(out).toBe('# c\nurl --url=file:///r/\nrepo --name=x --baseurl=http://127.0.0.1:1/x/\nlang C\n');
  });
});
