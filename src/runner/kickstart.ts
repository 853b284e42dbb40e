// Reading a kickstart for almac's own kickstart executor (`almac build --via kickstart` without
// livemedia-creator): the repositories (`url`, `repo`), the %packages section and the scripts.
// Installer commands that only make sense for a machine install (lang, keyboard, timezone, rootpw,
// network, selinux, bootloader, partitioning, shutdown …) are kept as `commands` and reported as
// ignored; sections the executor cannot honour (%pre, %pre-install, %include) are errors.

export interface KickstartCommand {
  name: string;
  args: string[];
  line: number;
}

export interface KickstartRepo {
  /** `repo --name`; the `url` command's repository has no name in the kickstart (see KickstartRepo.fromUrl). */
  name: string;
  baseurl?: string;
  mirrorlist?: string;
  metalink?: string;
  /** Written as `url --url=…` (the installation source) rather than `repo`. */
  fromUrl: boolean;
  cost?: number;
  includepkgs: string[];
  excludepkgs: string[];
  noverifyssl: boolean;
  proxy?: string;
  line: number;
}

export interface KickstartPackages {
  line: number;
  excludedocs: boolean;
  excludeWeakdeps: boolean;
  nocore: boolean;
  ignoremissing: boolean;
  multilib: boolean;
  /** --inst-langs / --instLangs */
  instLangs?: string;
  /** Package names, globs and provides, in file order. */
  include: string[];
  /** `-name` lines. */
  exclude: string[];
  /** `@group` / `@^environment` lines (without the @). */
  groups: string[];
  excludeGroups: string[];
}

export type ScriptKind = 'post' | 'pre' | 'pre-install' | 'onerror' | 'traceback';

export interface KickstartScript {
  kind: ScriptKind;
  /** Line of the `%post …` header. */
  line: number;
  nochroot: boolean;
  erroronfail: boolean;
  interpreter?: string;
  log?: string;
  body: string;
}

export interface Kickstart {
  commands: KickstartCommand[];
  repos: KickstartRepo[];
  packages?: KickstartPackages;
  scripts: KickstartScript[];
}

export class KickstartError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'KickstartError';
    this.line = line;
  }
}

/** A line shlex cannot split (Python's messages). */
export class ShlexError extends Error {}

/**
 * Splits one line as Python's shlex.split(line, comments=True) does (POSIX mode): blanks separate
 * words; `'…'` is literal; inside `"…"` a backslash escapes only `"` and `\`; outside quotes a
 * backslash escapes any character; an unquoted `#` ends the line, even inside a word.
 */
export function shlexSplit(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === '#') {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShlexError('No closing quotation');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const d = line[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 >= n) throw new ShlexError('No escaped character');
        if (d === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          word += line[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      if (!closed) throw new ShlexError('No closing quotation');
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= n) throw new ShlexError('No escaped character');
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** shlexSplit, with the kickstart line number in the error. */
export function splitWords(s: string, line = 0): string[] {
  try {
    return shlexSplit(s);
  } catch (e) {
    if (e instanceof ShlexError) throw new KickstartError(line, e.message);
    throw e;
  }
}

/** `--name=value` / `--name value` / `--flag` options of a command or section header. */
function parseOptions(words: string[], line: number, spec: Record<string, 'flag' | 'value'>, what: string): Map<string, string | true> {
  const opts = new Map<string, string | true>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('--')) throw new KickstartError(line, `${what}: unexpected argument ${JSON.stringify(w)}`);
    const eq = w.indexOf('=');
    const name = eq >= 0 ? w.slice(2, eq) : w.slice(2);
    const kind = spec[name];
    if (!kind) throw new KickstartError(line, `${what}: unsupported option --${name}`);
    if (kind === 'flag') {
      if (eq >= 0) throw new KickstartError(line, `${what}: --${name} takes no value`);
      opts.set(name, true);
    } else if (eq >= 0) {
      opts.set(name, w.slice(eq + 1));
    } else {
      const v = words[++i];
      if (v === undefined) throw new KickstartError(line, `${what}: --${name} needs a value`);
      opts.set(name, v);
    }
  }
  return opts;
}

const REPO_OPTIONS: Record<string, 'flag' | 'value'> = {
  name: 'value', baseurl: 'value', mirrorlist: 'value', metalink: 'value', cost: 'value', excludepkgs: 'value',
  includepkgs: 'value', proxy: 'value', noverifyssl: 'flag', install: 'flag', sslcacert: 'value',
  sslclientcert: 'value', sslclientkey: 'value',
};
const URL_OPTIONS: Record<string, 'flag' | 'value'> = {
  url: 'value', mirrorlist: 'value', metalink: 'value', proxy: 'value', noverifyssl: 'flag', sslcacert: 'value',
  sslclientcert: 'value', sslclientkey: 'value',
};
const PACKAGES_OPTIONS: Record<string, 'flag' | 'value'> = {
  excludedocs: 'flag', nocore: 'flag', ignoremissing: 'flag', 'exclude-weakdeps': 'flag', excludeWeakdeps: 'flag',
  'inst-langs': 'value', instLangs: 'value', multilib: 'flag', default: 'flag', retries: 'value', timeout: 'value',
  nobase: 'flag', 'ignorebroken': 'flag',
};
const SCRIPT_OPTIONS: Record<string, 'flag' | 'value'> = {
  nochroot: 'flag', erroronfail: 'flag', interpreter: 'value', log: 'value', logfile: 'value',
};

function csv(v: string | true | undefined): string[] {
  return typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : [];
}

/** Name given to the `url` command's repository when the caller does not map it to one of its own. */
export const URL_REPO_NAME = 'anaconda';

export function parseKickstart(text: string): Kickstart {
  const ks: Kickstart = { commands: [], repos: [], scripts: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!.replace(/\r$/, '');
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    if (/^%include(\s|$)/.test(trimmed)) throw new KickstartError(lineNo, '%include is not supported');
    if (trimmed.startsWith('%')) {
      const words = splitWords(trimmed, lineNo);
      const head = words[0]!;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length; j++) {
        const l = lines[j]!.replace(/\r$/, '');
        if (l.trim() === '%end') break;
        body.push(l);
      }
      if (j >= lines.length) throw new KickstartError(lineNo, `${head} has no %end`);
      i = j;
      switch (head) {
        case '%packages': {
          if (ks.packages) throw new KickstartError(lineNo, 'a second %packages section');
          const o = parseOptions(words.slice(1), lineNo, PACKAGES_OPTIONS, '%packages');
          const langs = o.get('inst-langs') ?? o.get('instLangs');
          const p: KickstartPackages = {
            line: lineNo,
            excludedocs: o.has('excludedocs'),
            excludeWeakdeps: o.has('exclude-weakdeps') || o.has('excludeWeakdeps'),
            nocore: o.has('nocore'),
            ignoremissing: o.has('ignoremissing'),
            multilib: o.has('multilib'),
            include: [],
            exclude: [],
            groups: [],
            excludeGroups: [],
          };
          if (typeof langs === 'string') p.instLangs = langs;
          for (const l of body) {
            const t = l.trim();
            if (!t || t.startsWith('#')) continue;
            const [item, ...rest] = splitWords(t);
            if (!item) continue;
            if (rest.length && !item.startsWith('@')) throw new KickstartError(lineNo, `%packages: one package per line, got ${JSON.stringify(t)}`);
            if (item.startsWith('-@')) p.excludeGroups.push(item.slice(2));
            else if (item.startsWith('-')) p.exclude.push(item.slice(1));
            else if (item.startsWith('@')) p.groups.push(item.slice(1));
            else p.include.push(item);
          }
          ks.packages = p;
          break;
        }
        case '%post':
        case '%pre':
        case '%pre-install':
        case '%onerror':
        case '%traceback': {
          const o = parseOptions(words.slice(1), lineNo, SCRIPT_OPTIONS, head);
          const s: KickstartScript = {
            kind: head.slice(1) as ScriptKind,
            line: lineNo,
            nochroot: o.has('nochroot'),
            erroronfail: o.has('erroronfail'),
            body: body.join('\n') + (body.length ? '\n' : ''),
          };
          const interp = o.get('interpreter');
          if (typeof interp === 'string') s.interpreter = interp;
          const log = o.get('log') ?? o.get('logfile');
          if (typeof log === 'string') s.log = log;
          ks.scripts.push(s);
          break;
        }
        case '%addon':
        case '%anaconda':
          ks.commands.push({ name: head, args: words.slice(1), line: lineNo });
          break;
        default:
          throw new KickstartError(lineNo, `unknown section ${head}`);
      }
      continue;
    }
    const words = splitWords(trimmed, lineNo);
    const [name, ...args] = words;
    if (!name) continue;
    if (name === 'repo') {
      const o = parseOptions(args, lineNo, REPO_OPTIONS, 'repo');
      const n = o.get('name');
      if (typeof n !== 'string' || !n) throw new KickstartError(lineNo, 'repo needs --name');
      ks.repos.push(repoFrom(o, n, false, lineNo));
    } else if (name === 'url') {
      const o = parseOptions(args, lineNo, URL_OPTIONS, 'url');
      if (ks.repos.some((r) => r.fromUrl)) throw new KickstartError(lineNo, 'a second url command');
      const u = o.get('url');
      if (typeof u === 'string') o.set('baseurl', u);
      ks.repos.push(repoFrom(o, URL_REPO_NAME, true, lineNo));
    } else {
      ks.commands.push({ name, args, line: lineNo });
    }
  }
  for (const r of ks.repos) {
    if (!r.baseurl && !r.mirrorlist && !r.metalink) throw new KickstartError(r.line, `${r.fromUrl ? 'url' : `repo ${r.name}`} has no --baseurl, --url, --mirrorlist or --metalink`);
  }
  const names = new Set<string>();
  for (const r of ks.repos) {
    if (names.has(r.name)) throw new KickstartError(r.line, `repository ${r.name} is defined twice`);
    names.add(r.name);
  }
  return ks;
}

function repoFrom(o: Map<string, string | true>, name: string, fromUrl: boolean, line: number): KickstartRepo {
  const r: KickstartRepo = {
    name,
    fromUrl,
    includepkgs: csv(o.get('includepkgs')),
    excludepkgs: csv(o.get('excludepkgs')),
    noverifyssl: o.has('noverifyssl'),
    line,
  };
  const s = (k: string): string | undefined => {
    const v = o.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const b = s('baseurl');
  if (b !== undefined) r.baseurl = b;
  const m = s('mirrorlist');
  if (m !== undefined) r.mirrorlist = m;
  const ml = s('metalink');
  if (ml !== undefined) r.metalink = ml;
  const p = s('proxy');
  if (p !== undefined) r.proxy = p;
  const c = s('cost');
  if (c !== undefined) {
    if (!/^\d+$/.test(c)) throw new KickstartError(line, `repo ${name}: --cost must be a number`);
    r.cost = Number(c);
  }
  return r;
}

/**
 * Commands of a machine install that the container executor does not apply; they are listed in the
 * build log. (The generated kickstarts carry them for livemedia-creator; their container-relevant
 * effects — locale.conf, localtime, vconsole.conf — are written by %post, as in the Containerfile.)
 */
export const IGNORED_COMMANDS = new Set([
  'lang', 'keyboard', 'timezone', 'timesource', 'network', 'selinux', 'bootloader', 'zerombr', 'clearpart',
  'autopart', 'part', 'partition', 'rootpw', 'shutdown', 'reboot', 'poweroff', 'halt', 'text', 'graphical',
  'cmdline', 'firstboot', 'skipx', 'eula', 'ignoredisk', 'logvol', 'volgroup', 'raid', 'reqpart', 'xconfig',
  '%addon', '%anaconda',
]);

/** Commands that would change the image's content and that the executor cannot apply: an error. */
export const UNSUPPORTED_COMMANDS = new Set(['user', 'group', 'services', 'firewall', 'sshkey', 'sshpw', 'module', 'authselect', 'liveimg', 'ostreesetup']);
