// Values checked against their grammars (E3xx). Nothing from a definition may reach a shell or a
// kickstart unchecked: package names, paths, modes, names and conditions are validated here.
import { describe, expect, it } from 'vitest';
import { at, compileInline, diagnostics, imageWith, reported } from '../helpers/inline.js';

describe('package names (E320, E321)', () => {
  const bad: [string, string, string][] = [
    ['"foo;rm -rf /"', 'a shell command separator', 'package names'],
    ['"$(id)"', 'a command substitution', 'shell metacharacters'],
    ['"`id`"', 'backquotes', 'shell metacharacters'],
    ['"a b"', 'whitespace', 'no whitespace'],
    ['"x\\ny"', 'a newline', 'no whitespace'],
    ['"tab\\there"', 'a tab', 'no whitespace'],
    ['"pkg>1.0"', 'a redirection', 'shell metacharacters'],
    ["'quoted'", 'single quotes', 'shell metacharacters'],
    ['-kernel', 'a kickstart exclusion', 'use `exclude NAME`'],
  ];
  for (const [literal, what, hint] of bad) {
    it(`E320: rejects ${what} in a package name`, () => {
      const text = imageWith(`  install ${literal}`);
      expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E320', at: at(text, literal), message: 'is not a valid package name', hint }]));
    });
  }

  it('E320: also in post-install transactions and on the builder', () => {
    const text = imageWith('  post {\n    install "a|b"\n    builder-install "c&d"\n  }');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E320', at: at(text, '"a|b"'), message: '`a|b` is not a valid package name' },
        { code: 'E320', at: at(text, '"c&d"'), message: '`c&d` is not a valid package name' },
      ]),
    );
  });

  it('accepts names, globs, provides and groups', () => {
    const text = imageWith('  install [gcc-c++, python3.11, "lib*-devel", dnf-command(config-manager), @core, @^minimal-environment]');
    expect(reported(compileInline(text))).toEqual([]);
  });

  it('E321: a group where only packages make sense', () => {
    const text = imageWith('  reinstall @core');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E321', at: at(text, '@core'), message: '`reinstall` cannot take a group' }]));
  });
});

describe('paths (E310, E318)', () => {
  const bad: [string, string, string][] = [
    ['etc/hostname', 'a relative path', 'must be absolute'],
    ['/etc/../root/x', 'a `..` segment', '`..` segments'],
    ['/etc/./x', 'a `.` segment', '`.` or `..` segments'],
    ['"/etc/a\\nb"', 'a newline', 'control characters'],
    ['"/etc/a\\0b"', 'a NUL', 'control characters'],
    ['/etc//x', 'an empty segment', 'empty segments'],
  ];
  for (const [literal, what, message] of bad) {
    it(`E310: rejects ${what}`, () => {
      const text = imageWith(`  post {\n    touch ${literal}\n  }`);
      expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E310', at: at(text, literal), message }]));
    });
  }

  it('E310: globs only where the shell may expand them (remove)', () => {
    const text = imageWith('  post {\n    remove /var/log/*\n    touch /var/log/*\n  }');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E310', at: at(text, '/var/log/*', 2), message: 'cannot be a glob' }]));
  });

  it('E310: paths in options (shell, home) and assertions are checked too', () => {
    const text = imageWith('  post {\n    user app shell bin/sh home "/home/a\\nb"\n  }\n  assert {\n    path-exists relative/x\n  }');
    expect(reported(compileInline(text)).map((d) => [d.code, d.at])).toEqual([
      ['E316', at(text, 'bin/sh')],
      ['E316', at(text, '"/home')],
      ['E310', at(text, 'relative/x')],
    ]);
  });

  it('E318: removing the whole image root', () => {
    const text = imageWith('  post {\n    remove /*\n  }');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E318', at: at(text, 'remove'), message: 'would remove the whole image root' }]));
  });
});

describe('modes (E311)', () => {
  for (const mode of ['999', '8', '0o644', 'u+rw', '01777', '"0644 "']) {
    it(`E311: rejects mode ${mode}`, () => {
      const text = imageWith(`  post {\n    touch /etc/x mode ${mode}\n  }`);
      expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E311', at: at(text, mode), message: 'is not a file mode', hint: 'octal' }]));
    });
  }

  it('accepts three or four octal digits and normalises them to four', () => {
    const c = compileInline(imageWith('  post {\n    touch /a mode 600\n    mkdir /b mode 2755\n  }'));
    expect(reported(c)).toEqual([]);
    expect(c.images[0]!.steps.map((s) => ('mode' in s.operation ? s.operation.mode : undefined))).toEqual(['0600', '2755']);
  });
});

describe('other values', () => {
  it('E312: file content must be quoted', () => {
    const text = imageWith('  post {\n    write /etc/x 42\n  }');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E312', at: at(text, '42'), message: 'file content must be a quoted string or a text block', hint: 'quote' }]));
  });

  it('E314 / E315: account ids and names', () => {
    const text = imageWith('  post {\n    group Admins gid 12x\n  }');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E315', at: at(text, 'Admins'), message: 'is not a valid group name' },
        { code: 'E314', at: at(text, '12x'), message: 'is not a valid gid' },
      ]),
    );
  });

  it('E317: systemd unit names', () => {
    const text = imageWith('  post {\n    mask "getty;reboot"\n    set-default-target multi-user\n  }');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E317', at: at(text, '"getty;reboot"'), message: 'is not a systemd unit name' },
        { code: 'E317', at: at(text, 'multi-user'), message: 'is not a .target unit' },
      ]),
    );
  });

  it('E330 / E331 / E341: ENV and LABEL names, single-line values, known placeholders', () => {
    const text = imageWith('  config {\n    env "1BAD" x\n    label ok "two\\nlines"\n    label built "{date}"\n  }');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E330', at: at(text, '"1BAD"'), message: 'is not an environment variable name' },
        { code: 'E331', at: at(text, '"two'), message: 'single line' },
        { code: 'E341', at: at(text, '"{date}"'), message: 'unknown placeholder `{date}`' },
      ]),
    );
  });

  it('E332: STOPSIGNAL, USER and WORKDIR', () => {
    const text = imageWith('  config {\n    stopsignal "KILL NOW"\n    user "root;id"\n    workdir relative\n  }');
    expect(reported(compileInline(text)).map((d) => [d.code, d.at])).toEqual([
      ['E332', at(text, '"KILL NOW"')],
      ['E332', at(text, '"root;id"')],
      ['E332', at(text, 'relative')],
    ]);
  });

  it('E340 / E341: naming templates', () => {
    const text = imageWith('  naming {\n    repository "almalinux/{release} {image}"\n    tags ["{relase}"]\n  }');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E340', at: at(text, '"almalinux/'), message: 'is not a repository name' },
        { code: 'E341', at: at(text, '"{relase}"'), message: 'unknown placeholder `{relase}`' },
      ]),
    );
  });
});

describe('conditions (E301–E305)', () => {
  it('E302: a misspelt platform in a condition, with did-you-mean', () => {
    const text = imageWith('  post {\n    when platform = linux/aaarch64 {\n      touch /x\n    }\n  }');
    expect(reported(compileInline(text))).toEqual(
      diagnostics([{ code: 'E302', at: at(text, 'linux/aaarch64'), message: '`linux/aaarch64` is not a declared platform', hint: 'did you mean `linux/arm64`?' }]),
    );
  });

  it('E302: undeclared releases in conditions and lists, with did-you-mean', () => {
    const text = 'image t {\n  releases [9, 100]\n  install dnf\n  when release in [9, 1O] {\n    install x\n  }\n}\n';
    expect(reported(compileInline(text))).toEqual(
      diagnostics([
        { code: 'E302', at: at(text, '100'), message: '`100` is not a declared release', hint: 'did you mean `10`?' },
        { code: 'E302', at: at(text, '1O'), message: '`1O` is not a declared release', hint: 'did you mean `10`?' },
      ]),
    );
  });

  it('E302: an undeclared platform in `platforms`, with did-you-mean', () => {
    const text = imageWith('  platforms [linux/amd64, linux/aaarch64]');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E302', at: at(text, 'linux/aaarch64'), message: 'is not a declared platform', hint: 'did you mean `linux/arm64`?' }]));
  });

  it('E301: an unknown axis', () => {
    const text = imageWith('  when relase >= 9 {\n    install x\n  }');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E301', at: at(text, 'relase'), message: 'unknown axis `relase`', hint: 'did you mean `release`?' }]));
  });

  it('E303: ordering platforms', () => {
    const text = imageWith('  post {\n    when platform >= linux/amd64 {\n      touch /x\n    }\n  }');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E303', at: at(text, 'platform >='), message: 'platforms have no order' }]));
  });

  it('E304: a platform condition in a repository', () => {
    const text = 'repository r {\n  baseurl "https://example.org/$basearch/"\n  when platform = linux/amd64 {\n    enabled off\n  }\n}\n';
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E304', at: at(text, 'platform ='), message: 'a platform condition cannot be used here', hint: '$basearch' }]));
  });

  it('E305: packages that depend on the platform', () => {
    const text = imageWith('  when platform = linux/386 {\n    install x\n  }');
    expect(reported(compileInline(text))).toEqual(diagnostics([{ code: 'E305', at: at(text, 'install x'), message: 'only post-install steps can depend on the platform' }]));
  });
});
