// Every committed kickstart must be valid kickstart syntax for the pykickstart handler of its own
// release, with no deprecation warnings; and the validator must really catch what it claims to.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/project.js';
import { dialectFor } from '../../src/phases/4-render/kickstart.js';
import { renderKickstart } from '../../src/phases/4-render/render.js';
import type { ImageSpec } from '../../src/model/spec.js';
import { HANDLERS, formatFindings, handlerForReleasever, loadDialects, shlexSplit, validateKickstart, type Handler, type ValidationResult } from './validate.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KICKSTARTS = new URL('../../generated/kickstarts/', import.meta.url);
const NAME = /^almalinux-(\d+)(-kitten)?-([a-z0-9-]+)\.ks$/;

const files = readdirSync(KICKSTARTS)
  .filter((f) => f.endsWith('.ks'))
  .sort();

function clean(r: ValidationResult): void {
  expect(formatFindings(r)).toBe('');
}

describe('generated kickstarts', () => {
  it('cover every release and image', () => {
    const releases = new Set(files.map((f) => NAME.exec(f)?.slice(1, 3).join('') ?? f));
    expect([...releases].sort()).toEqual(['10', '10-kitten', '8', '9']);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(f).toMatch(NAME);
  });

  for (const file of files) {
    it(`${file} validates for its own release's handler with no errors and no warnings`, () => {
      const m = NAME.exec(file)!;
      const releasever = m[1]!; // 10-kitten builds with releasever 10
      const handler = handlerForReleasever(releasever);
      const text = readFileSync(new URL(file, KICKSTARTS), 'utf8');
      // The file says which release and syntax it was written for; both must agree with its name.
      expect(text).toContain(`--releasever ${releasever}\n`);
      expect(text).toContain(`# Kickstart syntax: ${handler}.`);
      const r = validateKickstart(text, handler);
      clean(r);
      expect(r.errors).toEqual([]);
      expect(r.warnings).toEqual([]);
    });
  }
});

describe('the kickstart renderer', () => {
  const c = compileProject(REPO_ROOT, { render: false });
  const images = c.images;

  it('has images to render', () => {
    expect(images.length).toBe(files.length);
  });

  it('picks the handler of each releasever', () => {
    for (const rv of ['8', '9', '10']) expect(dialectFor(rv).handler).toBe(handlerForReleasever(rv));
    for (const s of images) expect(dialectFor(s.releasever).handler).toBe(handlerForReleasever(s.releasever));
  });

  // Options no committed definition uses yet must still come out right for every release.
  const variants: { name: string; change: Partial<ImageSpec> }[] = [
    { name: 'docs and weak deps on', change: { docs: true, weakDeps: true, installLangs: undefined } },
    { name: 'docs and weak deps off, install langs', change: { docs: false, weakDeps: false, installLangs: ['en', 'C.UTF-8'] } },
    { name: 'weak deps on, one install lang', change: { docs: false, weakDeps: true, installLangs: ['en'] } },
  ];
  for (const v of variants) {
    it(`renders valid kickstarts for every image with ${v.name}`, () => {
      for (const s of images) {
        const handler = handlerForReleasever(s.releasever);
        const text = renderKickstart({ ...s, ...v.change });
        const r = validateKickstart(text, handler);
        expect(formatFindings(r), `${s.release}/${s.image} (${handler})`).toBe('');
      }
    });
  }

  it('spells the release-specific options the way each handler wants', () => {
    const d8 = dialectFor('8');
    const d9 = dialectFor('9');
    const d10 = dialectFor('10');
    expect([d8.excludeWeakdeps, d8.instLangs, d8.ntp]).toEqual(['--excludeWeakdeps', '--instLangs', 'timezone']);
    for (const d of [d9, d10]) expect([d.excludeWeakdeps, d.instLangs, d.ntp]).toEqual(['--exclude-weakdeps', '--inst-langs', 'timesource']);
  });
});

// A small valid kickstart per handler, in the shape almac writes, to break one line at a time.
function base(handler: Handler): string {
  const rhel8 = handler === 'RHEL8';
  return [
    '# test kickstart',
    'url --url=https://repo.example/almalinux/$releasever/BaseOS/$basearch/os/',
    'repo --name=appstream --baseurl=https://repo.example/almalinux/$releasever/AppStream/$basearch/os/',
    'lang C.UTF-8',
    'keyboard us',
    rhel8 ? 'timezone UTC --utc --nontp' : 'timezone UTC --utc',
    ...(rhel8 ? [] : ['timesource --ntp-disable']),
    'network --activate --bootproto=dhcp --device=link --onboot=on',
    'selinux --disabled',
    'bootloader --disabled',
    'zerombr',
    'clearpart --all --initlabel',
    'autopart --fstype=ext4 --type=plain --nohome --noboot --noswap',
    'rootpw --lock --iscrypted locked',
    'shutdown',
    '',
    `%packages --nocore --excludedocs ${rhel8 ? '--excludeWeakdeps --instLangs=en' : '--exclude-weakdeps --inst-langs=en'}`,
    'bash',
    'coreutils-single',
    '-kernel',
    '@core --nodefaults',
    '%end',
    '',
    '%post --nochroot --erroronfail --log=/tmp/post.log',
    'set -eu',
    'date +%Y%m%d_%H%M > "$ANA_INSTALL_PATH"/etc/BUILDTIME # a comment',
    "printf '%%_install_langs C.utf8\\n' > /etc/rpm/macros.image-language-conf",
    '%end',
    '',
    '%post --erroronfail --interpreter=/bin/bash',
    'true',
    '%end',
    '',
  ].join('\n');
}

function swap(text: string, from: string | RegExp, to: string): string {
  const found = typeof from === 'string' ? text.includes(from) : from.test(text);
  if (!found) throw new Error(`test setup: ${String(from)} not found`);
  return text.replace(from, to);
}

const errorsOf = (r: ValidationResult) => r.errors.map((f) => f.message).join('\n');
const warningsOf = (r: ValidationResult) => r.warnings.map((f) => f.message).join('\n');

describe('the validator', () => {
  for (const h of HANDLERS) {
    it(`accepts the base kickstart for ${h}`, () => clean(validateKickstart(base(h), h)));
  }

  describe('%packages weak-deps and languages spellings', () => {
    const camel = (h: Handler) =>
      swap(swap(base(h), /--exclude-?[wW]eakdeps/, '--excludeWeakdeps'), /--inst-?[lL]angs=en/, '--instLangs=en');
    const dashed = (h: Handler) =>
      swap(swap(base(h), /--exclude-?[wW]eakdeps/, '--exclude-weakdeps'), /--inst-?[lL]angs=en/, '--inst-langs=en');

    it('RHEL8 takes --instLangs/--excludeWeakdeps silently and has no dashed aliases', () => {
      clean(validateKickstart(camel('RHEL8'), 'RHEL8'));
      const r = validateKickstart(dashed('RHEL8'), 'RHEL8');
      expect(errorsOf(r)).toMatch(/unrecognized option --exclude-weakdeps/);
      expect(errorsOf(r)).toMatch(/unrecognized option --inst-langs/);
    });

    it('RHEL9 warns on --instLangs and --excludeWeakdeps but accepts them', () => {
      const r = validateKickstart(camel('RHEL9'), 'RHEL9');
      expect(r.errors).toEqual([]);
      expect(warningsOf(r)).toMatch(/--instLangs will be deprecated; use its alias --inst-langs/);
      expect(warningsOf(r)).toMatch(/--excludeWeakdeps will be deprecated/);
      expect(r.warnings).toHaveLength(2);
    });

    it('RHEL10 rejects --instLangs and --excludeWeakdeps', () => {
      const r = validateKickstart(camel('RHEL10'), 'RHEL10');
      expect(errorsOf(r)).toMatch(/--instLangs is no longer supported/);
      expect(errorsOf(r)).toMatch(/--excludeWeakdeps is no longer supported/);
    });

    it('a RHEL8 spelling in a real RHEL10 kickstart is an error, in a real RHEL9 one a warning', () => {
      const real10 = readFileSync(new URL('almalinux-10-minimal.ks', KICKSTARTS), 'utf8');
      const real9 = readFileSync(new URL('almalinux-9-minimal.ks', KICKSTARTS), 'utf8');
      const r10 = validateKickstart(swap(real10, '--exclude-weakdeps', '--excludeWeakdeps'), 'RHEL10');
      expect(r10.errors).toHaveLength(1);
      expect(errorsOf(r10)).toMatch(/--excludeWeakdeps/);
      const r9 = validateKickstart(swap(real9, '--exclude-weakdeps', '--excludeWeakdeps'), 'RHEL9');
      expect(r9.errors).toEqual([]);
      expect(r9.warnings).toHaveLength(1);
      const withLangs = swap(real10, '%packages --nocore', '%packages --instLangs=en --nocore');
      expect(errorsOf(validateKickstart(withLangs, 'RHEL10'))).toMatch(/--instLangs is no longer supported/);
    });

    it('--ignorebroken is not a RHEL option', () => {
      for (const h of HANDLERS) {
        const r = validateKickstart(swap(base(h), '%packages --nocore', '%packages --ignorebroken --nocore'), h);
        expect(r.errors, h).toHaveLength(1);
      }
    });

    it('--default and --nocore cannot be combined; unknown header options are errors', () => {
      expect(errorsOf(validateKickstart(swap(base('RHEL9'), '%packages --nocore', '%packages --default --nocore'), 'RHEL9'))).toMatch(/cannot be used together/);
      expect(errorsOf(validateKickstart(swap(base('RHEL9'), '%packages --nocore', '%packages --nocore --bogus'), 'RHEL9'))).toMatch(/unrecognized option --bogus/);
    });
  });

  describe('timezone and timesource', () => {
    it('timezone --nontp is fine on RHEL8, warns on RHEL9, is rejected on RHEL10', () => {
      clean(validateKickstart(base('RHEL8'), 'RHEL8'));
      const r9 = validateKickstart(swap(base('RHEL9'), 'timezone UTC --utc', 'timezone UTC --utc --nontp'), 'RHEL9');
      expect(r9.errors).toEqual([]);
      expect(warningsOf(r9)).toMatch(/--nontp will be deprecated; use the command timesource --ntp-disable/);
      const r10 = validateKickstart(swap(base('RHEL10'), 'timezone UTC --utc', 'timezone UTC --utc --nontp'), 'RHEL10');
      expect(errorsOf(r10)).toMatch(/--nontp is no longer supported/);
    });

    it('timezone --isUtc is fine on RHEL8, warns on RHEL9, is rejected on RHEL10', () => {
      clean(validateKickstart(swap(base('RHEL8'), '--utc --nontp', '--isUtc --nontp'), 'RHEL8'));
      const r9 = validateKickstart(swap(base('RHEL9'), 'UTC --utc', 'UTC --isUtc'), 'RHEL9');
      expect(r9.errors).toEqual([]);
      expect(warningsOf(r9)).toMatch(/--isUtc will be deprecated; use its alias --utc/);
      expect(errorsOf(validateKickstart(swap(base('RHEL10'), 'UTC --utc', 'UTC --isUtc'), 'RHEL10'))).toMatch(/--isUtc is no longer supported/);
    });

    it('timezone --ntpservers warns on RHEL9 and is rejected on RHEL10', () => {
      const line = 'timezone UTC --utc --ntpservers=ntp1.example,ntp2.example';
      const r9 = validateKickstart(swap(base('RHEL9'), 'timezone UTC --utc', line), 'RHEL9');
      expect(r9.errors).toEqual([]);
      expect(r9.warnings).toHaveLength(1);
      expect(validateKickstart(swap(base('RHEL10'), 'timezone UTC --utc', line), 'RHEL10').errors).toHaveLength(1);
    });

    it('timesource does not exist on RHEL8 and needs exactly one mode elsewhere', () => {
      const r8 = validateKickstart(swap(base('RHEL8'), 'shutdown', 'shutdown\ntimesource --ntp-disable'), 'RHEL8');
      expect(errorsOf(r8)).toMatch(/unknown command "timesource" for RHEL8/);
      expect(errorsOf(validateKickstart(swap(base('RHEL9'), 'timesource --ntp-disable', 'timesource'), 'RHEL9'))).toMatch(/exactly one of/);
      expect(errorsOf(validateKickstart(swap(base('RHEL10'), 'timesource --ntp-disable', 'timesource --ntp-disable --ntp-server=ntp.example'), 'RHEL10'))).toMatch(/exactly one of/);
      clean(validateKickstart(swap(base('RHEL10'), 'timesource --ntp-disable', 'timesource --ntp-server ntp.example --nts'), 'RHEL10'));
    });
  });

  describe('commands', () => {
    it('rejects an unknown command', () => {
      for (const h of HANDLERS) expect(errorsOf(validateKickstart(swap(base(h), 'zerombr', 'frobnicate --now'), h))).toMatch(/unknown command "frobnicate"/);
    });

    it('rejects commands RHEL10 removed', () => {
      const r = validateKickstart(swap(base('RHEL10'), 'zerombr', 'zerombr\nauthconfig --enableshadow'), 'RHEL10');
      expect(errorsOf(r)).toMatch(/authconfig: command removed/);
    });

    it('refuses real commands that the dialect data does not model', () => {
      expect(errorsOf(validateKickstart(swap(base('RHEL9'), 'zerombr', 'zerombr\neula --agreed'), 'RHEL9'))).toMatch(/F20_Eula.*does not model/);
    });

    it('rejects unknown options, values on flags, missing values and bad choices', () => {
      const h = 'RHEL9';
      expect(errorsOf(validateKickstart(swap(base(h), 'bootloader --disabled', 'bootloader --disabled --bogus'), h))).toMatch(/unrecognized option --bogus/);
      expect(errorsOf(validateKickstart(swap(base(h), 'bootloader --disabled', 'bootloader --disabled=yes'), h))).toMatch(/--disabled takes no value/);
      expect(errorsOf(validateKickstart(swap(base(h), /^url .*$/m, 'url --url'), h))).toMatch(/--url expects a value/);
      expect(errorsOf(validateKickstart(swap(base(h), '--type=plain', '--type=btrfs'), h))).toMatch(/--type=btrfs is not one of/);
      expect(errorsOf(validateKickstart(swap(base(h), '--bootproto=dhcp', '--bootproto=magic'), h))).toMatch(/--bootproto=magic/);
      expect(errorsOf(validateKickstart(swap(base(h), 'zerombr', 'zerombr --all'), h))).toMatch(/unrecognized option --all/);
      expect(errorsOf(validateKickstart(swap(base(h), 'lang C.UTF-8', 'lang'), h))).toMatch(/lang: expects 1 argument/);
    });

    it('checks the option rules of url, repo, rootpw and keyboard', () => {
      const h = 'RHEL10';
      expect(errorsOf(validateKickstart(swap(base(h), /^url (.*)$/m, 'url $1 --mirrorlist=https://mirrors.example/list'), h))).toMatch(/exactly one of --url, --mirrorlist, --metalink/);
      expect(errorsOf(validateKickstart(swap(base(h), 'repo --name=appstream', 'repo'), h))).toMatch(/--name is required/);
      expect(errorsOf(validateKickstart(swap(base(h), 'rootpw --lock --iscrypted locked', 'rootpw --iscrypted'), h))).toMatch(/needs at least one of an argument, --lock/);
      clean(validateKickstart(swap(base(h), 'rootpw --lock --iscrypted locked', 'rootpw --lock'), h));
      expect(errorsOf(validateKickstart(swap(base(h), 'rootpw --lock --iscrypted locked', 'rootpw --iscrypted --plaintext x'), h))).toMatch(/cannot be used together/);
      expect(errorsOf(validateKickstart(swap(base(h), 'keyboard us', 'keyboard'), h))).toMatch(/needs at least one of/);
      clean(validateKickstart(swap(base(h), 'keyboard us', "keyboard --vckeymap=us --xlayouts='us'"), h));
    });

    it('warns about a repo name given twice', () => {
      const r = validateKickstart(swap(base('RHEL8'), 'lang C.UTF-8', 'repo --name=appstream --mirrorlist=https://mirrors.example/x\nlang C.UTF-8'), 'RHEL8');
      expect(r.errors).toEqual([]);
      expect(warningsOf(r)).toMatch(/repo with the name appstream/);
    });

    it('reports deprecated options that still parse, per handler', () => {
      const r8 = validateKickstart(swap(base('RHEL8'), 'bootloader --disabled', 'bootloader --disabled --upgrade'), 'RHEL8');
      expect(r8.errors).toEqual([]);
      expect(r8.warnings).toHaveLength(1);
      const r9 = validateKickstart(swap(base('RHEL9'), 'repo --name=appstream', 'repo --ignoregroups=true --name=appstream'), 'RHEL9');
      expect(r9.errors).toEqual([]);
      expect(r9.warnings).toHaveLength(1);
      expect(validateKickstart(swap(base('RHEL10'), 'repo --name=appstream', 'repo --ignoregroups=true --name=appstream'), 'RHEL10').errors).toHaveLength(1);
    });
  });

  describe('sections', () => {
    it('rejects a section left open at the end of the file', () => {
      const text = base('RHEL9').replace(/%end\n*$/, '');
      const r = validateKickstart(text, 'RHEL9');
      expect(errorsOf(r)).toMatch(/section %post \(line \d+\) does not end with %end/);
    });

    it('rejects a section that runs into the next one', () => {
      const text = swap(base('RHEL10'), '@core --nodefaults\n%end', '@core --nodefaults');
      expect(errorsOf(validateKickstart(text, 'RHEL10'))).toMatch(/section %packages \(line \d+\) does not end with %end before %post/);
    });

    it('rejects stray % lines inside a section, %end outside one, and unknown sections', () => {
      expect(errorsOf(validateKickstart(swap(base('RHEL9'), 'set -eu', 'set -eu\n%_install_langs C.utf8'), 'RHEL9'))).toMatch(/stray line starting with %/);
      expect(errorsOf(validateKickstart(swap(base('RHEL9'), 'bash\n', 'bash\n%ksappend x\n'), 'RHEL9'))).toMatch(/stray line starting with % inside %packages/);
      expect(errorsOf(validateKickstart(swap(base('RHEL9'), 'shutdown', 'shutdown\n%end'), 'RHEL9'))).toMatch(/%end outside of a section/);
      expect(errorsOf(validateKickstart(base('RHEL9') + '%frob\nx\n%end\n', 'RHEL9'))).toMatch(/unknown kickstart section %frob/);
      expect(errorsOf(validateKickstart(base('RHEL9') + '%traceback\ntrue\n%end\n', 'RHEL9'))).toMatch(/section %traceback is not supported/);
      clean(validateKickstart(base('RHEL9') + '%pre --erroronfail --log=/tmp/pre.log\ntrue\n%end\n%addon com_redhat_kdump --disable\n%end\n', 'RHEL9'));
      expect(errorsOf(validateKickstart(base('RHEL9') + '%pre --nochroot\ntrue\n%end\n', 'RHEL9'))).toMatch(/unrecognized option --nochroot/);
      expect(errorsOf(validateKickstart(base('RHEL9') + '%addon --disable\n%end\n', 'RHEL9'))).toMatch(/%addon: expects 1 argument/);
      expect(errorsOf(validateKickstart(base('RHEL9') + '%addon com_redhat_kdump disable\n%end\n', 'RHEL9'))).toMatch(/%addon: expects 1 argument/);
      expect(errorsOf(validateKickstart(swap(base('RHEL9'), 'true\n%end', 'true\n%end now'), 'RHEL9'))).toMatch(/%end takes nothing after it/);
    });

    it('checks %post header options', () => {
      expect(errorsOf(validateKickstart(swap(base('RHEL10'), '%post --erroronfail --interpreter=/bin/bash', '%post --erroronfail --chroot'), 'RHEL10'))).toMatch(/unrecognized option --chroot/);
      expect(errorsOf(validateKickstart(swap(base('RHEL10'), '%post --erroronfail --interpreter=/bin/bash', '%post --interpreter'), 'RHEL10'))).toMatch(/--interpreter expects a value/);
      clean(validateKickstart(swap(base('RHEL8'), '--log=/tmp/post.log', '--logfile /tmp/post.log'), 'RHEL8'));
    });

    it('takes only package names, -name exclusions and @groups in %packages', () => {
      clean(validateKickstart(swap(base('RHEL9'), 'bash\n', 'bash\nvim*\n-@Sound and Video\n@^minimal-environment\npython3.11 # trailing comment\n# a comment\n\n'), 'RHEL9'));
      expect(errorsOf(validateKickstart(swap(base('RHEL9'), 'bash\n', 'bash zsh\n'), 'RHEL9'))).toMatch(/"bash zsh" is not a package name/);
      expect(errorsOf(validateKickstart(swap(base('RHEL9'), 'bash\n', '@core --nodefaults --optional\n'), 'RHEL9'))).toMatch(/both --nodefaults and --optional/);
      expect(errorsOf(validateKickstart(swap(base('RHEL9'), 'bash\n', '@\n'), 'RHEL9'))).toMatch(/names no group/);
    });
  });

  describe('line splitting, as shlex.split(line, comments=True)', () => {
    it('splits words, quotes, escapes and comments like shlex', () => {
      expect(shlexSplit('url --url=http://x/#frag')).toEqual(['url', '--url=http://x/']);
      expect(shlexSplit('a "b#c" d')).toEqual(['a', 'b#c', 'd']);
      expect(shlexSplit('a b\\#c')).toEqual(['a', 'b#c']);
      expect(shlexSplit(`a 'x y' "p\\q\\"r" z`)).toEqual(['a', 'x y', 'p\\q"r', 'z']);
      expect(shlexSplit('a\\ b c')).toEqual(['a b', 'c']);
      expect(shlexSplit('x "\\$y"')).toEqual(['x', '\\$y']);
      expect(shlexSplit('a#b')).toEqual(['a']);
      expect(shlexSplit('foo  # c')).toEqual(['foo']);
      expect(shlexSplit('""')).toEqual(['']);
      expect(shlexSplit('x"y z"w')).toEqual(['xy zw']);
      expect(() => shlexSplit('a "b')).toThrow(/No closing quotation/);
      expect(() => shlexSplit('a\\')).toThrow(/No escaped character/);
      expect(() => shlexSplit('"a\\')).toThrow(/No escaped character/);
    });

    it('reports a line that cannot be split', () => {
      expect(errorsOf(validateKickstart(swap(base('RHEL8'), 'lang C.UTF-8', 'lang "C.UTF-8'), 'RHEL8'))).toMatch(/No closing quotation/);
    });

    it('reads quoted option values as one word', () => {
      clean(validateKickstart(swap(base('RHEL8'), 'bootloader --disabled', 'bootloader --location=mbr --append="console=ttyS0 quiet"'), 'RHEL8'));
    });
  });

  describe('the dialect data', () => {
    const dialects = loadDialects();
    for (const h of HANDLERS) {
      it(`is consistent for ${h}`, () => {
        const d = dialects.handlers[h];
        for (const [name, spec] of Object.entries(d.commands)) {
          expect(d.commandClasses[name], `${h} ${name}`).toBe(spec.class);
          expect(d.removedCommands[name], `${h} ${name}`).toBeUndefined();
        }
        for (const spec of [...Object.values(d.commands), ...Object.values(d.sections)]) {
          const allowed = [...spec.flags, ...spec.values];
          expect(new Set(allowed).size, spec.class).toBe(allowed.length);
          for (const o of [...Object.keys(spec.deprecated ?? {}), ...Object.keys(spec.removed ?? {})]) expect(allowed, `${spec.class} ${o}`).not.toContain(o);
          for (const o of Object.keys(spec.choices ?? {})) expect(spec.values, `${spec.class} ${o}`).toContain(o);
        }
      });
    }

    it('has RHEL10 reject exactly what RHEL9 deprecates for timezone and %packages', () => {
      const nine = dialects.handlers.RHEL9;
      const ten = dialects.handlers.RHEL10;
      expect(Object.keys(nine.commands.timezone!.deprecated ?? {}).sort()).toEqual(Object.keys(ten.commands.timezone!.removed ?? {}).sort());
      for (const o of Object.keys(nine.sections['%packages'].deprecated ?? {})) expect(Object.keys(ten.sections['%packages'].removed ?? {})).toContain(o);
    });
  });
});
