// Inputs for fuzzing the compiler, shared by the vitest suite (short run) and scripts/fuzz.mjs (long
// run against dist/). Plain JavaScript so that the long run needs no TypeScript tooling.
//
// Three families of input:
//   projectArb     — grammar-aware: whole projects (platforms, releases, repositories, fragments,
//                    images with inheritance, conditions, post steps, config, naming, assertions)
//                    that are mostly valid, so the later phases (resolve, render) are reached, with
//                    a sprinkling of wrong values so that every checker's error path runs too.
//   mutationArb    — the project's real definitions/ with a few random edits: lines deleted,
//                    duplicated, swapped; tokens dropped or repeated; truncation; random bytes and
//                    Unicode inserted.
//   tokenSoupArb   — random sequences of the language's tokens, for the parser's error recovery.
import fc from 'fast-check';

// ---------------------------------------------------------------------------------------------
// Values

const PLATFORMS = [
  ['linux/amd64', 'x86_64'],
  ['linux/arm64', 'aarch64'],
  ['linux/386', 'i686'],
  ['linux/ppc64le', 'ppc64le'],
  ['linux/s390x', 's390x'],
];
const RELEASES = ['8', '9', '10', '10-kitten'];
const PACKAGES = ['bash', 'coreutils-single', 'systemd', 'tar', 'glibc-minimal-langpack', 'krb5-libs', 'vim-minimal', 'python3*', '@core', 'dnf-command(config-manager)'];
/** Packages the generated images never install, so excluding or removing them is consistent. */
const OTHER_PACKAGES = ['python3-libs', 'langpacks-*', 'rpm-plugin-systemd-inhibit'];
const PLAIN_PATHS = ['/etc/os-release', '/run/lock', '/etc/machine-id', '/root/', '/etc/dnf/vars/infra', '/usr/lib/tmpfiles.d/rootfiles.conf'];
const GLOB_PATHS = ['/var/log/dnf*', '/usr/share/locale/en*', '/etc/yum.repos.d/*.repo', '/var/lib/rpm/*', '/run/?tmp'];
const UNITS = ['getty.target', 'systemd-logind.service', 'dev-hugepages.mount', 'console-getty.service'];

/** Text that tries everything: shell and kickstart syntax, escapes, control characters, Unicode. */
const nastyText = fc.oneof(
  fc.constantFrom('', ' ', '$(id)', '`id`', "it's", '"quoted"', '\\', '%end', '%post', 'a\nb', 'a\r\nb', '\t', '\u0000', '\u001b[31m', '$HOME', '${x:-y}', '*', '?', '|', ';', '&&', '\u00e9t\u00e9', '\u{1F600}', '\ud800', '\u2028', '\ufeff', '-rf', '--', '#', '{release}', '{nope}', '%Y%m%d'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

/** A value as it would be written in a definition: a word, a quoted string or a text block. */
function literal(text) {
  if (/^[A-Za-z0-9_./:@+*?%-]+$/.test(text) && !['when', 'else', 'and', 'or', 'not', 'in'].includes(text)) return text;
  if (text.includes('\n') && !text.includes('"""')) return `"""\n${text}\n"""`;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/\0/g, '\\0')}"`;
}

/**
 * Builders for one project. A "clean" project uses only values and combinations the compiler
 * accepts, so that it resolves and renders; a "noisy" one also uses wrong values (one in seven),
 * so that every checker's error path runs.
 */
function builders({ noisy, platforms, releases }) {
  const valueOf = (good, bad = []) =>
    (noisy ? fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.oneof(nastyText, ...(bad.length ? [fc.constantFrom(...bad)] : [])) }) : fc.constantFrom(...good)).map(literal);
  const pick = (good, bad) => (noisy ? fc.constantFrom(...good, ...bad) : fc.constantFrom(...good));
  const pkg = valueOf(PACKAGES);
  const path = valueOf(PLAIN_PATHS, GLOB_PATHS);
  const glob = valueOf([...PLAIN_PATHS, ...GLOB_PATHS]);
  const list = (arb, min = 1, max = 4) => fc.array(arb, { minLength: min, maxLength: max }).map((xs) => (xs.length === 1 ? xs[0] : `[${xs.join(', ')}]`));
  const lines = (arb, min, max) => fc.array(arb, { minLength: min, maxLength: max }).map((xs) => xs.join(''));

  function condition(withPlatform) {
    const release = fc.tuple(fc.constantFrom('=', '!=', '>', '>=', '<', '<='), pick(releases, ['7', 'eight'])).map(([op, v]) => `release ${op} ${v}`);
    const releaseIn = fc.array(fc.constantFrom(...releases), { minLength: 1, maxLength: 3 }).map((vs) => `release in [${vs.join(', ')}]`);
    const platform = fc.tuple(pick(['=', '!='], ['>']), pick(platforms, ['linux/mips'])).map(([op, v]) => `platform ${op} ${v}`);
    const platformIn = fc.subarray(platforms, { minLength: 1 }).map((vs) => `platform in [${vs.join(', ')}]`);
    const atoms = [{ weight: 4, arbitrary: release }, { weight: 1, arbitrary: releaseIn }];
    if (withPlatform || noisy) atoms.push({ weight: 2, arbitrary: platform }, { weight: 1, arbitrary: platformIn });
    if (noisy) atoms.push({ weight: 1, arbitrary: fc.constant('arch = x86_64') });
    const atom = fc.oneof(...atoms);
    return fc.letrec((tie) => ({
      cond: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atom,
        fc.tuple(tie('cond'), fc.constantFrom('and', 'or'), tie('cond')).map(([a, op, b]) => `${a} ${op} ${b}`),
        tie('cond').map((c) => `not ${c}`),
        tie('cond').map((c) => `(${c})`),
      ),
    })).cond;
  }

  /** `when COND { … }` around the given statements, optionally with `else { … }`. */
  function when(cond, body, indent) {
    return fc.tuple(cond, body, fc.option(body, { nil: undefined })).map(([c, then, otherwise]) => {
      const open = `${indent}when ${c} {\n${then}${indent}}`;
      return otherwise === undefined ? `${open}\n` : `${open} else {\n${otherwise}${indent}}\n`;
    });
  }

  /** Post-install steps; `inside` ones (systemctl) cannot depend on the platform. */
  function postStep(indent, { inside }) {
    const mode = fc.option(pick(['0644', '0600', '755'], ['0999', 'u+rw']), { nil: undefined }).map((m) => (m ? ` mode ${m}` : ''));
    const steps = [
      fc.tuple(path, valueOf(['x\n', 'LANG="C.utf8"\n', '%_install_langs C.utf8\n', "it's 100% \\ \"$(sure)\"\n"]), mode).map(([p, c, m]) => `write ${p} ${c}${m}`),
      fc.tuple(path, valueOf(['more\n', '%end\n'])).map(([p, c]) => `append ${p} ${c}`),
      fc.tuple(list(path), mode).map(([p, m]) => `touch ${p}${m}`),
      fc.tuple(list(path), mode).map(([p, m]) => `mkdir ${p}${m}`),
      list(path).map((p) => `chmod ${p} mode 0700`),
      list(glob).map((p) => `remove ${p}`),
      fc.tuple(path, valueOf(['../usr/share/zoneinfo/UTC', '/usr/lib/systemd/system/multi-user.target', 'a b'])).map(([p, t]) => `symlink ${p} -> ${t}`),
      fc.tuple(valueOf(['sgx', 'systemd-oom', '_apt']), fc.option(fc.nat(70000), { nil: undefined })).map(([n, g]) => `group ${n}${g === undefined ? '' : ` gid ${g}`} system password "!*"`),
      fc.tuple(valueOf(['systemd-oom', 'app']), valueOf(['systemd Userspace OOM Killer', 'App "quoted" $x'])).map(([n, c]) => `user ${n} uid 995 gid 995 system comment ${c} shell /usr/sbin/nologin home / no-create-home`),
      fc.tuple(glob, valueOf(['sgx', 'a|b', '.*'])).map(([p, t]) => `delete-lines ${p} matching ${t}`),
      fc.tuple(glob, valueOf(['mirrorlist=', '$basearch', 'a&b']), valueOf(['# mirrorlist=', 'i686', '\\1'])).map(([p, a, b]) => `replace ${p} {\n${indent}  rule ${a} -> ${b}\n${indent}}`),
      list(path).map((p) => `tmpfiles ${p}`),
      fc.tuple(path, valueOf(['%Y%m%d_%H%M', '%s'], ['$(date)'])).map(([p, f]) => `timestamp ${p} format ${f}`),
      fc.tuple(list(path), path).map(([s, d]) => `copy-from-builder ${s} to ${d} mode 0644`),
      fc.tuple(path, valueOf(['x\n'])).map(([p, c]) => `builder-write ${p} ${c}`),
      list(path).map((p) => `builder-remove ${p}`),
      list(pkg).map((p) => `builder-install ${p}`),
      fc.tuple(fc.boolean(), list(pkg)).map(([e, p]) => `install ${e ? 'allow-erasing ' : ''}${p}`),
      fc.constant('upgrade'),
      fc.constant('enable-repos matching [crb, powertools] except [debug]'),
      fc.constant('clean-metadata'),
      valueOf(['echo hi\n', 'touch "$root/x"\n']).map((s) => `raw-shell ${s}`),
    ];
    if (inside || noisy) {
      steps.push(valueOf(['multi-user.target', 'graphical.target']).map((t) => `set-default-target ${t}`), list(valueOf(UNITS)).map((u) => `mask ${u}`));
    }
    return fc.oneof(...steps).map((s) => `${indent}${s}\n`);
  }

  /** Statements of a `post { … }` block, possibly under conditions (which may name platforms). */
  function postBody(indent) {
    const step = postStep(indent, { inside: true });
    const guarded = when(condition(true), lines(postStep(indent + '  ', { inside: false }), 1, 3), indent);
    return lines(fc.oneof({ weight: 4, arbitrary: step }, guarded), 1, 6);
  }

  function configBody(indent) {
    const item = fc.oneof(
      list(valueOf(['/bin/bash', '-c', 'echo', 'it\'s "$HOME"'])).map((a) => `cmd [${a.replace(/^\[|\]$/g, '')}]`),
      fc.constant('entrypoint ["/usr/bin/env"]'),
      fc.tuple(valueOf(['LANG', 'PATH'], ['1BAD']), valueOf(['C.utf8', '{release}', 'a "b" $c \\d'], ['{date}'])).map(([k, v]) => `env ${k} ${v}`),
      fc.tuple(valueOf(['name', 'org.opencontainers.image.version']), valueOf(['almalinux', '{version}', 'x=y "z"'])).map(([k, v]) => `label ${k} ${v}`),
      valueOf(['SIGRTMIN+3', 'SIGTERM'], ['KILL -9']).map((s) => `stopsignal ${s}`),
      valueOf(['root', '1001:1001']).map((u) => `user ${u}`),
      valueOf(['/root', '/srv/app']).map((w) => `workdir ${w}`),
    );
    return lines(item.map((x) => `${indent}${x}\n`), 1, 4);
  }

  function imageBody(fragments, indent) {
    const sub = indent + '  ';
    const items = [
      { weight: 3, arbitrary: list(pkg).map((p) => `${indent}install ${p}\n`) },
      fc.tuple(fc.constantFrom('exclude', 'remove'), list(valueOf(OTHER_PACKAGES), 1, 2)).map(([a, p]) => `${indent}${a} ${p}\n`),
      fc.constant(`${indent}reinstall krb5-libs langs en_US.UTF-8\n`),
      pick(['weak-deps off', 'docs on', 'clean-after-install off', 'ubi base', 'install-langs en_US.UTF-8', 'description "An image"', 'builder quay.io/almalinuxorg/almalinux:9'], ['package-manager apt', 'package-manager microdnf', 'omit bash', 'remove bash']).map((x) => `${indent}${x}\n`),
      postBody(sub).map((b) => `${indent}post {\n${b}${indent}}\n`),
      configBody(sub).map((b) => `${indent}config {\n${b}${indent}}\n`),
      pick(['repository "almalinux/{release}-{image}"', 'tags [latest, "{release}", "{version}-{date}"]', 'tag "{releasever}"'], ['tag "{nope}"']).map((x) => `${indent}naming {\n${sub}${x}\n${indent}}\n`),
      pick(['lang C.UTF-8', 'keyboard us', 'timezone UTC'], ['timezone "Mars/Base Alpha"']).map((x) => `${indent}kickstart {\n${sub}${x}\n${indent}}\n`),
      pick(['package-installed bash', 'path-exists /etc/os-release', 'command-succeeds ["ls", "/"]', 'command-output ["cat", "/etc/x"] matches "a\\\\.b"'], ['command-output ["x"] matches "("']).map((x) => `${indent}assert {\n${sub}${x}\n${indent}}\n`),
    ];
    if (fragments.length) items.push({ weight: 2, arbitrary: pick(fragments, ['no-such-fragment']).map((f) => `${indent}use ${f}\n`) });
    const item = fc.oneof(...items);
    return lines(fc.oneof({ weight: 5, arbitrary: item }, when(condition(false), lines(item, 1, 2), indent)), 1, 8);
  }

  return { imageBody };
}

/** A whole project: Map of "definitions/…" paths to text. */
export const projectArb = fc
  .record({
    noisy: fc.boolean(),
    platforms: fc.subarray(PLATFORMS, { minLength: 1 }),
    releases: fc.subarray(RELEASES, { minLength: 1, maxLength: 3 }),
    fragmentCount: fc.nat(3),
    imageCount: fc.integer({ min: 1, max: 4 }),
    split: fc.boolean(),
  })
  .chain(({ noisy, platforms, releases, fragmentCount, imageCount, split }) => {
    const platformNames = platforms.map(([n]) => n);
    const fragments = Array.from({ length: fragmentCount }, (_, i) => `frag-${i}`);
    const { imageBody } = builders({ noisy, platforms: platformNames, releases });
    const platformText = platforms.map(([n, a]) => `platform ${n} {\n  basearch ${a}\n}\n`).join('');
    const releaseText = fc
      .tuple(...releases.map(() => fc.tuple(fc.subarray(platformNames, { minLength: 1 }), fc.boolean())))
      .map((rs) =>
        rs
          .map(([ps, withVersion], i) => {
            const r = releases[i];
            return `release ${r} {\n  releasever ${r.split('-')[0]}\n${withVersion ? `  version ${r.split('-')[0]}.1\n` : ''}  builder quay.io/almalinuxorg/almalinux:${r}\n  platforms [${ps.join(', ')}]\n}\n`;
          })
          .join(''),
      );
    const repoText = fc.constantFrom(
      '',
      'repository baseos {\n  name "BaseOS"\n  baseurl "https://repo.almalinux.org/almalinux/$releasever/BaseOS/$basearch/os/"\n  when release = ' + releases[0] + ' {\n    baseurl "https://example.org/$basearch/"\n  }\n  gpgcheck on\n}\n',
      ...(noisy ? ['repository bad {\n  baseurl "ftp://x/y z"\n}\n'] : []),
    );
    const fragmentTexts = fragments.map((f, i) => imageBody(fragments.slice(i + 1), '  ').map((b) => `fragment ${f} {\n${b}}\n`));
    const imageTexts = Array.from({ length: imageCount }, (_, i) =>
      fc
        .tuple(fc.option(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { nil: undefined }), imageBody(fragments, '  '), fc.subarray(releases, { minLength: 1 }))
        .map(([parent, body, rs]) => {
          const ext = parent !== undefined && parent < i ? ` extends image-${parent}` : '';
          // Images without a parent get releases and a package manager, so that they resolve.
          const head = ext ? '' : `  releases [${rs.join(', ')}]\n  install [dnf, bash]\n`;
          return `image image-${i}${ext} {\n${head}${body}}\n`;
        }),
    );
    return fc.tuple(fc.constant(platformText), releaseText, repoText, fc.tuple(...fragmentTexts), fc.tuple(...imageTexts)).map(([p, r, repo, fs, is]) => {
      const files = new Map();
      if (split) {
        files.set('definitions/platforms-and-releases.alma', p + r);
        if (repo) files.set('definitions/repositories.alma', repo);
        fs.forEach((f, i) => files.set(`definitions/fragments/f${i}.alma`, f));
        is.forEach((t, i) => files.set(`definitions/images/i${i}.alma`, t));
      } else {
        files.set('definitions/all.alma', [p, r, repo, ...fs, ...is].join('\n'));
      }
      return files;
    });
  });

// ---------------------------------------------------------------------------------------------
// Mutations of real definitions

const INSERTS = ['{', '}', '[', ']', '(', ')', '"', '"""', '\\\n', '\n', ' when ', ' else ', ' not ', ' and ', ' -> ', ',', '#', '=', '!=', '>=', '\r', '\r\n', '\t', '\0', '\ufeff', '\ud800', '\u{1F600}', '\u00a0', 'use ', 'extends base', '%end\n', '$(reboot)', "'"];

/** One edit to a text, driven by the random numbers it is given (so fast-check can shrink it). */
function applyMutation(text, m) {
  const lines = text.split('\n');
  const at = (n) => (lines.length ? m.a % lines.length : 0);
  const offset = text.length ? m.a % (text.length + 1) : 0;
  switch (m.kind) {
    case 'delete-lines': {
      const i = at();
      lines.splice(i, 1 + (m.b % 4));
      return lines.join('\n');
    }
    case 'duplicate-line': {
      const i = at();
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\n');
    }
    case 'swap-lines': {
      const i = at();
      const j = lines.length ? m.b % lines.length : 0;
      [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, offset);
    case 'delete-token': {
      // Drop the word, string or punctuation at this offset.
      const rest = text.slice(offset);
      const tok = /^(\s*("[^"\n]*"?|[^\s"]+))/.exec(rest);
      return text.slice(0, offset) + rest.slice(tok ? tok[0].length : 1);
    }
    case 'repeat-token': {
      const rest = text.slice(offset);
      const tok = /^\S+/.exec(rest)?.[0] ?? '';
      return text.slice(0, offset) + `${tok} `.repeat(1 + (m.b % 3)) + rest;
    }
    case 'insert':
      return text.slice(0, offset) + INSERTS[m.b % INSERTS.length] + text.slice(offset);
    case 'insert-random':
      return text.slice(0, offset) + m.text + text.slice(offset);
    case 'replace-char':
      return text.slice(0, offset) + m.text.slice(0, 1) + text.slice(offset + 1);
  }
  return text;
}

const mutation = fc.record({
  kind: fc.constantFrom('delete-lines', 'duplicate-line', 'swap-lines', 'truncate', 'delete-token', 'repeat-token', 'insert', 'insert-random', 'replace-char'),
  a: fc.nat(),
  b: fc.nat(),
  text: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }), fc.string({ minLength: 1, maxLength: 8 })),
});

/**
 * The real definitions with 1–6 edits, each to a randomly chosen file; sometimes a file is dropped
 * or duplicated under another name (duplicate declarations across files).
 */
export function mutationArb(realSources) {
  const paths = [...realSources.keys()].sort();
  return fc
    .record({
      edits: fc.array(fc.tuple(fc.nat(paths.length - 1), mutation), { minLength: 1, maxLength: 6 }),
      drop: fc.option(fc.nat(paths.length - 1), { nil: undefined, freq: 8 }),
      copy: fc.option(fc.nat(paths.length - 1), { nil: undefined, freq: 8 }),
    })
    .map(({ edits, drop, copy }) => {
      const files = new Map(realSources);
      for (const [i, m] of edits) files.set(paths[i], applyMutation(files.get(paths[i]), m));
      if (copy !== undefined) files.set(`definitions/copy-of-${copy}.alma`, files.get(paths[copy]));
      if (drop !== undefined) files.delete(paths[drop]);
      return files;
    });
}

// ---------------------------------------------------------------------------------------------
// Token soup

const SOUP = ['image', 'fragment', 'release', 'platform', 'repository', 'x', 'base', 'install', 'post', 'config', 'when', 'else', 'and', 'or', 'not', 'in', 'release', 'platform', '=', '!=', '>=', '<', '{', '}', '[', ']', '(', ')', ',', '->', '"s"', '"""\nt\n"""', '"unterminated', '"""', '#c', '\n', '\n', '\n', '\\\n', 'linux/386', '9', '10-kitten', '/etc/x', 'mode', '0644', 'a(b)', 'a(b', 'write', 'use', 'extends'];

export const tokenSoupArb = fc
  .array(fc.constantFrom(...SOUP), { maxLength: 120 })
  .map((toks) => new Map([['definitions/soup.alma', toks.join(' ')]]));

// ---------------------------------------------------------------------------------------------
// Pathological shapes

const HEAD = 'platform linux/amd64 {\n  basearch x86_64\n}\nrelease 9 {\n  releasever 9\n  builder quay.io/almalinuxorg/almalinux:9\n  platforms [linux/amd64]\n}\n';
const range = (n, f) => Array.from({ length: n }, (_, i) => f(i)).join('');

/** Inputs of extreme size or depth: what recursion, backtracking or repeated scanning chokes on. */
const SHAPES = {
  'nested-blocks': (n) => 'image a {\n'.repeat(n) + '}\n'.repeat(n),
  'unclosed-blocks': (n) => 'image a {\nwhen release {\n}\n'.repeat(n),
  'nested-parens': (n) => `${HEAD}image a {\n  releases [9]\n  install dnf\n  when ${'('.repeat(n)}release = 9${')'.repeat(n)} {\n    install bash\n  }\n}\n`,
  'not-chain': (n) => `${HEAD}image a {\n  releases [9]\n  install dnf\n  when ${'not '.repeat(n)}release = 9 {\n    install bash\n  }\n}\n`,
  'and-chain': (n) => `${HEAD}image a {\n  releases [9]\n  install dnf\n  post {\n    when ${range(n, () => 'release = 9 and platform = linux/amd64 or ')}release = 9 {\n      mkdir /x\n    }\n  }\n}\n`,
  'else-when-chain': (n) => `${HEAD}image a {\n  releases [9]\n  install dnf\n  ${range(n, () => 'when release = 9 {\n  } else ')}{\n  }\n}\n`,
  'extends-chain': (n) => `${HEAD}${range(n, (i) => `image i${i} extends i${i + 1} {\n}\n`)}image i${n} {\n  releases [9]\n  install dnf\n}\n`,
  'extends-cycle': (n) => `${HEAD}${range(n, (i) => `image i${i} extends i${(i + 1) % n} {\n  releases [9]\n}\n`)}`,
  'use-chain': (n) => `${HEAD}${range(n, (i) => `fragment f${i} {\n  use f${i + 1}\n}\n`)}fragment f${n} {\n  install bash\n}\nimage x {\n  releases [9]\n  install dnf\n  use f0\n}\n`,
  'use-diamond': (n) => `${HEAD}${range(Math.min(n, 40), (i) => `fragment f${i} {\n  use f${i + 1}, f${i + 1}\n}\n`)}fragment f${Math.min(n, 40)} {\n  post {\n    mkdir /x\n  }\n}\nimage x {\n  releases [9]\n  install dnf\n  use f0\n}\n`,
  'long-list': (n) => `${HEAD}image a {\n  releases [9]\n  install [dnf, ${range(n, (i) => `p${i}, `)}]\n}\n`,
  'many-steps': (n) => `${HEAD}image a {\n  releases [9]\n  install dnf\n  post {\n${range(n, (i) => `    write /etc/f${i} "${i}\\n"\n`)}  }\n}\n`,
  'open-parens-word': (n) => 'image a' + '(a'.repeat(n),
  'brackets': (n) => 'image a ' + '['.repeat(n),
  'quotes': (n) => '"'.repeat(n),
  'garbage-lines': (n) => '} ] ) = , -> "\n'.repeat(n),
  'long-word': (n) => 'image ' + 'a'.repeat(n * 100) + ' {\n}\n',
  'line-continuations': (n) => 'image a \\\n'.repeat(n) + '{\n}\n',
};

export function extremeArb(maxSize = 3000) {
  return fc
    .tuple(fc.constantFrom(...Object.keys(SHAPES)), fc.integer({ min: 1, max: maxSize }))
    .map(([shape, n]) => new Map([[`definitions/${shape}.alma`, SHAPES[shape](n)]]));
}
