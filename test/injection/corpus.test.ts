// The injection corpus: values that try to smuggle shell (`;`, `&&`, `$(…)`, backticks, quotes,
// newlines, NUL) or kickstart structure (`%end`, `%include`, a new command line, Unicode line
// breaks that pykickstart splits at) through every place a definition can put a value.
//
// Each case is either rejected with a diagnostic (its code is asserted), or compiled; then the
// generated files are read back by independent parsers and compared with those of the same
// definition holding a harmless marker instead of the payload (differential testing):
//   - the Containerfile has the same instructions; every RUN has the same shell structure (same
//     commands, operators, redirections, no new substitutions), and ENV/LABEL the same properties;
//   - the kickstart has exactly the same section lines (`%packages`, `%post`, `%end`, as
//     pykickstart splits lines), the same command lines and %post scripts of the same structure;
//   - every word that held the marker now holds the payload, decoded exactly: as the shell hands
//     it to the command, as printf prints it, as sed applies it, as Docker or pykickstart reads it;
//     every other word is unchanged.
import { parseGlob } from '../../src/util/glob.js';
import { describe, expect, it } from 'vitest';
import type { Compilation } from '../../src/project.js';
import { compileSources } from '../../src/project.js';
import { kickstartArgs, parseContainerfile, parseKickstart, parseShell, printfOutput, sedOutput, type ShellScript } from './oracles.js';

const MARKER = 'safemarker7';

/** A string literal of the definition language holding exactly `s`. */
function lit(s: string): string {
  const body = [...s]
    .map((c) => {
      if (c === '\\') return '\\\\';
      if (c === '"') return '\\"';
      if (c === '\n') return '\\n';
      if (c === '\r') return '\\r';
      if (c === '\t') return '\\t';
      if (c === '\0') return '\\0';
      if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(c)) return `\\u{${c.codePointAt(0)!.toString(16)}}`;
      return c;
    })
    .join('');
  return `"${body}"`;
}

const HEAD = `platform linux/amd64 {
  basearch x86_64
}
platform linux/386 {
  basearch i686
}
release 9 {
  releasever 9
  builder quay.io/almalinuxorg/almalinux:9
  platforms [linux/amd64, linux/386]
}
`;
const REPOSITORY = (url: string) => `repository baseos {\n  baseurl ${lit(url)}\n}\n`;

function project(body: string, top = REPOSITORY('https://repo.almalinux.org/almalinux/9/BaseOS/$basearch/os/')): Map<string, string> {
  return new Map([['definitions/probe.alma', `${HEAD}${top}image probe {\n  releases [9]\n  install [dnf, bash]\n${body}\n}\n`]]);
}

/** Every place a value can go. `def` builds the definition around a raw value. */
interface Place {
  name: string;
  def: (v: string) => Map<string, string>;
  /** The expected diagnostic for a payload, or undefined when it must compile and stay inert. */
  rejects: (payload: string) => string | undefined;
  /** How the generated word holding the value is read back (default: as the shell passes it). */
  reader?: 'printf' | 'sed-replace' | 'sed-delete';
  /** The value must appear in no generated Containerfile or kickstart at all. */
  absent?: boolean;
}

/** Host names as kickstart's network and NTP options take them. */
const KS_HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const LINE_BREAK_OR_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const always = (code: string) => () => code;
const ifControl = (code: string) => (p: string) => (LINE_BREAK_OR_CONTROL.test(p) ? code : undefined);

const PLACES: Place[] = [
  // `*` alone is a valid package glob (every package); the rest cannot be package names.
  { name: 'package name (install)', def: (v) => project(`  install ${lit(v)}`), rejects: (p) => (p === '*' ? undefined : 'E320') },
  { name: 'package name (post install)', def: (v) => project(`  post {\n    install ${lit(v)}\n  }`), rejects: (p) => (p === '*' ? undefined : 'E320') },
  { name: 'package name (builder-install)', def: (v) => project(`  post {\n    builder-install ${lit(v)}\n  }`), rejects: (p) => (p === '*' ? undefined : 'E320') },
  { name: 'path (write)', def: (v) => project(`  post {\n    write ${lit(`/etc/${v}`)} "x\\n" mode 0600\n  }`), rejects: (p) => ifControl('E310')(p) ?? (/[*?]/.test(p) ? 'E310' : undefined) },
  // Outside the glob dialect (`\\`, `{a,b}`, `**`, unbalanced `[`/`]`, extglobs) is rejected, never quoted.
  { name: 'path (remove, globs allowed)', def: (v) => project(`  post {\n    remove ${lit(`/var/${v}`)}\n  }`), rejects: (p) => ifControl('E310')(p) ?? (parseGlob(`/var/${p}`).error ? 'E310' : undefined) },
  { name: 'path (mkdir)', def: (v) => project(`  post {\n    mkdir ${lit(`/srv/${v}`)} mode 0750\n  }`), rejects: (p) => ifControl('E310')(p) ?? (/[*?]/.test(p) ? 'E310' : undefined) },
  { name: 'path (copy-from-builder)', def: (v) => project(`  post {\n    copy-from-builder ${lit(`/usr/share/${v}`)} to /root/\n  }`), rejects: (p) => ifControl('E310')(p) ?? (/[*?]/.test(p) ? 'E310' : undefined) },
  { name: 'path (user home)', def: (v) => project(`  post {\n    user app home ${lit(`/home/${v}`)}\n  }`), rejects: (p) => ifControl('E316')(p) ?? (/[*?]/.test(p) ? 'E316' : undefined) },
  { name: 'file content (write)', def: (v) => project(`  post {\n    write /etc/motd ${lit(v)}\n  }`), rejects: (p) => (p.includes('\0') ? 'E313' : undefined), reader: 'printf' },
  { name: 'file content (append)', def: (v) => project(`  post {\n    append /etc/motd ${lit(v)}\n  }`), rejects: (p) => (p.includes('\0') ? 'E313' : undefined), reader: 'printf' },
  { name: 'file content (builder-write)', def: (v) => project(`  post {\n    builder-write /etc/motd ${lit(v)}\n  }`), rejects: (p) => (p.includes('\0') ? 'E313' : undefined), reader: 'printf' },
  { name: 'label value', def: (v) => project(`  config {\n    label org.example.note ${lit(v)}\n  }`), rejects: (p) => ifControl('E331')(p) ?? (/\{[^{}]*\}/.test(p) ? 'E341' : undefined) },
  { name: 'env value', def: (v) => project(`  config {\n    env NOTE ${lit(v)}\n  }`), rejects: (p) => ifControl('E331')(p) ?? (/\{[^{}]*\}/.test(p) ? 'E341' : undefined) },
  { name: 'env name', def: (v) => project(`  config {\n    env ${lit(`N${v}`)} x\n  }`), rejects: always('E330') },
  {
    name: 'repository URL',
    def: (v) => project('', REPOSITORY(`https://example.org/${v}/`)),
    rejects: (p) => (/[^\u0021-\u007e]|["'`\\#]/.test(p) ? 'E350' : undefined),
  },
  // After a letter, `-rf` and `--help` are ordinary name characters (app-rf).
  { name: 'user name', def: (v) => project(`  post {\n    user ${lit(`app${v}`)}\n  }`), rejects: (p) => (/^[a-z0-9_-]*$/.test(p) ? undefined : 'E315') },
  { name: 'group name', def: (v) => project(`  post {\n    group ${lit(`grp${v}`)}\n  }`), rejects: (p) => (/^[a-z0-9_-]*$/.test(p) ? undefined : 'E315') },
  { name: 'user comment', def: (v) => project(`  post {\n    user app comment ${lit(v)}\n  }`), rejects: (p) => ifControl('E316')(p) ?? (p.includes(':') ? 'E316' : undefined) },
  { name: 'group password', def: (v) => project(`  post {\n    group grp password ${lit(v)}\n  }`), rejects: (p) => ifControl('E316')(p) ?? (p.includes(':') ? 'E316' : undefined) },
  {
    name: 'symlink target',
    def: (v) => project(`  post {\n    symlink /etc/link -> ${lit(v)}\n  }`),
    rejects: (p) => ifControl('E310')(p) ?? (/[*?]/.test(p) || p.startsWith('-') || p === '' ? 'E310' : undefined),
  },
  {
    name: 'replace rule',
    def: (v) => project(`  post {\n    replace /etc/os-release {\n      rule ${lit(v)} -> ${lit(`new ${v}`)}\n    }\n  }`),
    rejects: (p) => ifControl('E316')(p) ?? (p === '' ? 'E316' : undefined),
    reader: 'sed-replace',
  },
  { name: 'delete-lines text', def: (v) => project(`  post {\n    delete-lines /etc/group matching ${lit(v)}\n  }`), rejects: (p) => ifControl('E316')(p) ?? (p === '' ? 'E316' : undefined), reader: 'sed-delete' },
  { name: 'timestamp format', def: (v) => project(`  post {\n    timestamp /etc/BUILDTIME format ${lit(`%Y${v}`)}\n  }`), rejects: (p) => (/^[A-Za-z0-9%_:.+ -]{0,62}$/.test(p) ? undefined : 'E316') },
  { name: 'systemd unit (mask)', def: (v) => project(`  post {\n    mask ${lit(`${v}x.service`)}\n  }`), rejects: (p) => (/^[A-Za-z0-9:_.\\@][A-Za-z0-9:_.\\@-]*$/.test(p) ? undefined : 'E317') },
  { name: 'repository pattern (enable-repos)', def: (v) => project(`  post {\n    enable-repos matching [${lit(`${v}crb`)}]\n  }`), rejects: (p) => (/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(p) ? undefined : 'E316') },
  { name: 'condition value', def: (v) => project(`  post {\n    when platform = ${lit(`linux/386${v}`)} {\n      mkdir /x\n    }\n  }`), rejects: always('E302') },
  // A declaration's name must be a bare word; a quoted one is not a name at all.
  { name: 'platform name', def: (v) => project('', `platform ${lit(`linux/x${v}`)} {\n  basearch x\n}\n`), rejects: always('E208') },
  { name: 'platform architecture', def: (v) => project('', `platform linux/arm64 {\n  basearch ${lit(`aarch64${v}`)}\n}\n`), rejects: always('E316') },
  { name: 'kickstart lang', def: (v) => project(`  kickstart {\n    lang ${lit(`en_US${v}`)}\n  }`), rejects: always('E316') },
  { name: 'kickstart timezone', def: (v) => project(`  kickstart {\n    timezone ${lit(`Europe/B${v}`)}\n  }`), rejects: (p) => (/^[A-Za-z0-9_+-]+$/.test(`B${p}`) ? undefined : 'E316') },
  { name: 'kickstart network hostname', def: (v) => project(`  kickstart {\n    network hostname ${lit(`h${v}x`)}\n  }`), rejects: (p) => (KS_HOST.test(`h${p}x`) ? undefined : 'E360') },
  { name: 'kickstart NTP server', def: (v) => project(`  kickstart {\n    ntp on servers [${lit(`n${v}x.example.org`)}]\n  }`), rejects: (p) => (KS_HOST.test(`n${p}x.example.org`) ? undefined : 'E360') },
  { name: 'kickstart service', def: (v) => project(`  kickstart {\n    services enabled [${lit(`s${v}`)}]\n  }`), rejects: (p) => (/^[A-Za-z0-9_.@:-]*$/.test(p) ? undefined : 'E360') },
  { name: 'kickstart root password hash', def: (v) => project(`  kickstart {\n    rootpw crypted ${lit(`h${v}`)}\n  }`), rejects: (p) => (/^[A-Za-z0-9./$!*]*$/.test(p) ? undefined : 'E360') },
  {
    name: 'assertion argument',
    def: (v) => project(`  assert {\n    command-succeeds ["sh", "-c", ${lit(v)}]\n  }`),
    rejects: (p) => (p.includes('\0') ? 'E316' : undefined),
    absent: true,
  },
  {
    name: 'raw-shell script',
    def: (v) => project(`  post {\n    raw-shell ${lit(`echo ${v}`)}\n  }`),
    rejects: (p) => (p.includes('\0') || /[\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/.test(p) || /\n\s*%/.test(p) ? 'E319' : undefined),
    reader: 'printf',
  },
];

/** What attackers write: shell syntax, quoting, option injection, kickstart structure, odd Unicode. */
const PAYLOADS = [
  ';reboot',
  ' && reboot',
  '$(reboot)',
  '`reboot`',
  "'; reboot; '",
  '"; reboot; "',
  '\\',
  "it's",
  '${IFS}reboot',
  '| tee /x',
  '\nreboot',
  '\r\nreboot',
  '\0',
  '\n%end\n%post\nreboot\n',
  '\u2028%end\u2028rootpw --plaintext x\u2028%post',
  '\u0085%end',
  '\u001c%include /tmp/x',
  '%end',
  '-rf',
  '#comment',
  '*',
  'caf\u00e9 \u{1F600}',
];

interface Rendered {
  c: Compilation;
  containerfile: string;
  kickstart: string;
}

function render(sources: Map<string, string>): Rendered {
  const c = compileSources('/probe', sources);
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  if (!c.outputs || errors.length) throw new Error(`does not compile: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return { c, containerfile: c.outputs.get('containerfiles/9/Containerfile.probe')!, kickstart: c.outputs.get('kickstarts/9-probe.ks')! };
}

/** A word of the base rendering that held the marker, and the same word with the payload. */
interface Carrier {
  base: string;
  hit: string;
  /** For shell words: the command (its first word) and the word's position in it. */
  command?: string;
  index?: number;
}

function compareWords(base: string, hit: string, carriers: Carrier[], context: { command?: string; index?: number } = {}): void {
  if (base.includes(MARKER)) carriers.push({ base, hit, ...context });
  else expect(hit).toBe(base);
}

/** Shell text: identical unless it held the marker; then the same structure, word by word. */
function compareShellText(base: string, hit: string, carriers: Carrier[]): void {
  if (!base.includes(MARKER)) expect(hit).toBe(base);
  else compareShell(parseShellCached(base), parseShell(hit), carriers);
}

const parsedBases = new Map<string, ShellScript>();
function parseShellCached(src: string): ShellScript {
  let p = parsedBases.get(src);
  if (!p) parsedBases.set(src, (p = parseShell(src)));
  return p;
}

function compareShell(base: ShellScript, hit: ShellScript, carriers: Carrier[]): void {
  expect(hit.shape).toBe(base.shape);
  expect(hit.substitutions).toEqual(base.substitutions);
  base.commands.forEach((cmd, i) => {
    const other = hit.commands[i]!;
    cmd.args.forEach((w, j) => compareWords(w.value, other.args[j]!.value, carriers, { command: cmd.args[0]?.value, index: j }));
    cmd.redirects.forEach((r, j) => {
      expect(other.redirects[j]!.op).toBe(r.op);
      compareWords(r.target.value, other.redirects[j]!.target.value, carriers);
    });
  });
}

/** Structure equal, and the words that carry the value, from the Containerfile and the kickstart. */
function carriersOf(base: Rendered, hit: Rendered): Carrier[] {
  const carriers: Carrier[] = [];
  const [bi, hi] = [parseContainerfile(base.containerfile), parseContainerfile(hit.containerfile)];
  expect(hi.map((i) => i.keyword)).toEqual(bi.map((i) => i.keyword));
  bi.forEach((b, n) => {
    const h = hi[n]!;
    if (b.keyword === 'RUN') compareShellText(b.raw, h.raw, carriers);
    else if (b.keyword === 'ENV' || b.keyword === 'LABEL') {
      expect(h.properties.map((p) => p.name)).toEqual(b.properties.map((p) => p.name));
      b.properties.forEach((p, k) => compareWords(p.value, h.properties[k]!.value, carriers));
      expect(h.properties.some((p) => p.unescapedDollar)).toBe(false);
    } else compareWords(b.raw, h.raw, carriers);
  });
  const [bk, hk] = [parseKickstart(base.kickstart), parseKickstart(hit.kickstart)];
  expect(hk.sectionLines).toEqual(bk.sectionLines);
  expect(hk.commands.length).toBe(bk.commands.length);
  bk.commands.forEach((line, n) => {
    const [b, h] = [kickstartArgs(line), kickstartArgs(hk.commands[n]!)];
    expect(h.length).toBe(b.length);
    b.forEach((arg, k) => compareWords(arg, h[k]!, carriers));
  });
  expect(hk.posts.length).toBe(bk.posts.length);
  bk.posts.forEach((post, n) => compareShellText(post, hk.posts[n]!, carriers));
  return carriers;
}

/** Results for the marker's words, computed once per place (each is a process to start). */
const baseReadings = new Map<string, string>();
const once = (key: string, f: () => string) => baseReadings.get(key) ?? (baseReadings.set(key, f()), baseReadings.get(key)!);

/** The carrier read back as its consumer reads it must be the marker's reading, with the payload. */
function checkCarrier(place: Place, c: Carrier, payload: string): void {
  const withPayload = (s: string) => s.replaceAll(MARKER, payload);
  if (place.reader === 'printf' && c.command === 'printf' && c.index === 1) {
    const base = once(`printf ${c.base}`, () => printfOutput(c.base).toString('utf8'));
    expect(printfOutput(c.hit).toString('utf8')).toBe(withPayload(base));
  } else if (place.reader === 'sed-replace' && c.command === 'sed') {
    const input = (v: string) => `before ${v} after\n${v}\n`;
    const base = once(`sed ${c.base}`, () => sedOutput(c.base, input(MARKER)));
    expect(sedOutput(c.hit, input(payload))).toBe(withPayload(base));
  } else if (place.reader === 'sed-delete' && c.command === 'sed') {
    const input = (v: string) => `keep\nx${v}y\n${v}\nkeep too\n`;
    const base = once(`sed ${c.base}`, () => sedOutput(c.base, input(MARKER)));
    expect(sedOutput(c.hit, input(payload))).toBe(base);
  } else {
    expect(c.hit).toBe(withPayload(c.base));
  }
}

const baseCache = new Map<string, Rendered>();

describe.each(PLACES)('$name', (place) => {
  it.each(PAYLOADS.map((p) => [JSON.stringify(p), p]))('%s', (_, payload) => {
    const expected = place.rejects(payload);
    if (expected) {
      const c = compileSources('/probe', place.def(payload));
      expect(c.outputs).toBeUndefined();
      expect(c.diagnostics.map((d) => d.code)).toContain(expected);
      return;
    }
    let base = baseCache.get(place.name);
    if (!base) baseCache.set(place.name, (base = render(place.def(MARKER))));
    const hit = render(place.def(payload));
    const carriers = carriersOf(base, hit);
    if (place.absent) {
      expect(carriers).toEqual([]);
      const argv = hit.c.images[0]!.assertions.map((a) => ('argv' in a.assertion ? a.assertion.argv : []));
      expect(argv).toContainEqual(['sh', '-c', payload]);
      return;
    }
    expect(carriers.length).toBeGreaterThan(0);
    for (const c of carriers) checkCarrier(place, c, payload);
  });
});
