// A small, strict kickstart validator for the files almac generates, checked against the
// per-handler facts in test/fixtures/kickstart/dialects.json (which pykickstart class parses each
// command under RHEL8/RHEL9/RHEL10, which options it takes, warns about or rejects).
//
// It follows pykickstart's reading of a file: command lines and section headers are split like
// Python's shlex.split(line, comments=True); options behave like argparse options (`--opt=v` or
// `--opt v`); a section runs from its header to `%end`. Where pykickstart is lenient the
// validator is stricter, never looser: no option abbreviations, no commands or sections outside
// the modelled set, no `%` lines inside a section other than `%end`.
import { readFileSync } from 'node:fs';

export type Handler = 'RHEL8' | 'RHEL9' | 'RHEL10';
export type SectionTag = '%packages' | '%post' | '%pre' | '%addon';
const SECTION_TAGS: readonly string[] = ['%packages', '%post', '%pre', '%addon'];
export const HANDLERS: readonly Handler[] = ['RHEL8', 'RHEL9', 'RHEL10'];

export interface Finding {
  line: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface ValidationResult {
  errors: Finding[];
  warnings: Finding[];
}

interface DeprecatedOption {
  takesValue: boolean;
  source: string;
  message: string;
}

interface RemovedOption {
  source: string;
  message: string;
}

/** How one command or section header is parsed. */
export interface OptionSpec {
  class: string;
  args: [number, number];
  flags: string[];
  values: string[];
  choices?: Record<string, string[]>;
  deprecated?: Record<string, DeprecatedOption>;
  removed?: Record<string, RemovedOption>;
  required?: string[];
  exactlyOneOf?: string[];
  atMostOneOf?: string[];
  requireAnyOf?: string[];
  mutuallyExclusive?: string[];
  /** %addon: any --option[=value] words (the add-on parses them), checked only for their shape. */
  anyOptions?: boolean;
}

export interface HandlerDialect {
  versionNote: string;
  commandClasses: Record<string, string>;
  removedCommands: Record<string, string>;
  commands: Record<string, OptionSpec>;
  sections: Record<SectionTag, OptionSpec>;
}

export interface Dialects {
  sectionsKnownToPykickstart: string[];
  handlers: Record<Handler, HandlerDialect>;
}

const DIALECTS_PATH = new URL('../fixtures/kickstart/dialects.json', import.meta.url);
let cached: Dialects | undefined;

export function loadDialects(): Dialects {
  cached ??= JSON.parse(readFileSync(DIALECTS_PATH, 'utf8')) as Dialects;
  return cached;
}

/** The pykickstart handler a release is built with: releasever 8 → RHEL8, 9 → RHEL9, 10 → RHEL10. */
export function handlerForReleasever(releasever: string): Handler {
  const h = `RHEL${releasever}`;
  if (!(HANDLERS as readonly string[]).includes(h)) throw new Error(`no kickstart handler for releasever ${JSON.stringify(releasever)}`);
  return h as Handler;
}

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

/** What argument parsing found, for the constraint checks. */
interface Parsed {
  options: Map<string, string | true>;
  positionals: string[];
}

type Report = (severity: Finding['severity'], message: string) => void;

/** argparse-like parsing of `words` (command name excluded) against spec. */
export function parseOptions(what: string, words: string[], spec: OptionSpec, handler: Handler, report: Report): Parsed {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (onlyPositionals || !w.startsWith('-') || w === '-' || /^-\d/.test(w)) {
      positionals.push(w);
      continue;
    }
    if (spec.anyOptions) {
      if (!/^--[A-Za-z0-9][A-Za-z0-9_-]*(=\S+)?$/.test(w)) report('error', `${what}: ${JSON.stringify(w)} is not an --option[=value] word`);
      continue;
    }
    if (w === '--') {
      onlyPositionals = true;
      continue;
    }
    const eq = w.indexOf('=');
    const name = eq > 0 ? w.slice(0, eq) : w;
    const inline = eq > 0 ? w.slice(eq + 1) : undefined;
    const takeValue = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = words[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-' && !/^-\d/.test(next))) {
        report('error', `${what}: ${name} expects a value`);
        return undefined;
      }
      i++;
      return next;
    };
    if (spec.flags.includes(name)) {
      if (inline !== undefined) report('error', `${what}: ${name} takes no value (got ${JSON.stringify(w)})`);
      options.set(name, true);
    } else if (spec.values.includes(name)) {
      const v = takeValue();
      if (v === undefined) continue;
      const allowed = spec.choices?.[name];
      if (allowed && !allowed.includes(v.toLowerCase())) report('error', `${what}: ${name}=${v} is not one of ${allowed.join(', ')}`);
      options.set(name, v);
    } else if (spec.deprecated?.[name]) {
      const d = spec.deprecated[name]!;
      report('warning', `${what}: ${d.message} (deprecated for ${handler}: ${d.source})`);
      if (d.takesValue) {
        const v = takeValue();
        if (v !== undefined) options.set(name, v);
      } else {
        if (inline !== undefined) report('error', `${what}: ${name} takes no value (got ${JSON.stringify(w)})`);
        options.set(name, true);
      }
    } else if (spec.removed?.[name]) {
      const r = spec.removed[name]!;
      report('error', `${what}: ${r.message} (removed for ${handler}: ${r.source})`);
      // Skip an attached value only; a separate word after it is reported on its own.
    } else {
      report('error', `${what}: unrecognized option ${name} for ${handler} (${spec.class})`);
    }
  }
  const [min, max] = spec.args;
  if (positionals.length < min || positionals.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    report('error', `${what}: expects ${want} argument(s), got ${positionals.length}${positionals.length ? ` (${positionals.join(' ')})` : ''}`);
  }
  const has = (o: string) => (o === 'ARG' ? positionals.length > 0 : options.has(o));
  for (const o of spec.required ?? []) if (!has(o)) report('error', `${what}: ${o} is required`);
  if (spec.exactlyOneOf) {
    const used = spec.exactlyOneOf.filter(has);
    if (used.length !== 1) report('error', `${what}: exactly one of ${spec.exactlyOneOf.join(', ')} is required${used.length ? ` (got ${used.join(', ')})` : ''}`);
  }
  if (spec.atMostOneOf) {
    const used = spec.atMostOneOf.filter(has);
    if (used.length > 1) report('error', `${what}: only one of ${spec.atMostOneOf.join(', ')} may be given (got ${used.join(', ')})`);
  }
  if (spec.requireAnyOf && !spec.requireAnyOf.some(has)) {
    report('error', `${what}: needs at least one of ${spec.requireAnyOf.map((o) => (o === 'ARG' ? 'an argument' : o)).join(', ')}`);
  }
  if (spec.mutuallyExclusive && spec.mutuallyExclusive.filter(has).length > 1) {
    report('error', `${what}: ${spec.mutuallyExclusive.join(' and ')} cannot be used together`);
  }
  return { options, positionals };
}

// A package spec: a name, possibly with globs, an arch or a version; never whitespace.
const PACKAGE = /^[A-Za-z0-9_*?[][A-Za-z0-9._+*?[\]:~^()\/-]*$/;

function checkPackageLine(raw: string, report: Report): void {
  // pykickstart drops everything after `#` on a %packages line, then surrounding blanks.
  const line = raw.split('#')[0]!.trim();
  if (line === '') return;
  if (line.startsWith('@') || line.startsWith('-@')) {
    const body = line.slice(line.startsWith('-') ? 2 : 1).replace(/^\^/, '');
    const words = body.split(/\s+/).filter((w) => w !== '');
    const opts = words.filter((w) => w.startsWith('--'));
    const name = words.filter((w) => !w.startsWith('--'));
    if (name.length === 0) report('error', `%packages: group line ${JSON.stringify(line)} names no group`);
    for (const o of opts) if (o !== '--nodefaults' && o !== '--optional') report('error', `%packages: unknown group option ${o}`);
    if (opts.includes('--nodefaults') && opts.includes('--optional')) report('error', '%packages: a group cannot take both --nodefaults and --optional');
    if (line.startsWith('-@') && opts.length) report('error', `%packages: an excluded group takes no options (${line})`);
    return;
  }
  const name = line.startsWith('-') ? line.slice(1) : line;
  if (!PACKAGE.test(name)) report('error', `%packages: ${JSON.stringify(line)} is not a package name, a -name exclusion or an @group`);
}

interface OpenSection {
  name: SectionTag | 'unsupported';
  header: string;
  line: number;
}

/** Validates a whole kickstart for one handler. Findings are in line order. */
export function validateKickstart(text: string, handler: Handler, dialects: Dialects = loadDialects()): ValidationResult {
  const d = dialects.handlers[handler];
  const findings: Finding[] = [];
  let lineNo = 0;
  const report: Report = (severity, message) => findings.push({ line: lineNo, severity, message });
  const known = new Set(dialects.sectionsKnownToPykickstart);
  const repoNames = new Set<string>();
  let open: OpenSection | undefined;

  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();

  const openSection = (words: string[], raw: string) => {
    const tag = words[0]!;
    if (SECTION_TAGS.includes(tag)) {
      parseOptions(tag, words.slice(1), d.sections[tag as SectionTag], handler, report);
      open = { name: tag as SectionTag, header: raw.trim(), line: lineNo };
      return;
    }
    if (tag === '%end') report('error', '%end outside of a section');
    else if (known.has(tag)) report('error', `section ${tag} is not supported here (only %packages, %post, %pre and %addon are)`);
    else report('error', `unknown kickstart section ${tag}`);
    // Read its body as an opaque section so it is not taken for commands.
    if (tag !== '%end') open = { name: 'unsupported', header: raw.trim(), line: lineNo };
  };

  const command = (words: string[]) => {
    const name = words[0]!;
    const what = name;
    if (d.removedCommands[name] !== undefined) {
      report('error', `${name}: command ${d.removedCommands[name]} for ${handler}`);
      return;
    }
    const cls = d.commandClasses[name];
    if (cls === undefined) {
      report('error', `unknown command ${JSON.stringify(name)} for ${handler}`);
      return;
    }
    const spec = d.commands[name];
    if (!spec) {
      report('error', `${name} (${cls}) is a ${handler} command that dialects.json does not model; add it there before using it`);
      return;
    }
    const parsed = parseOptions(what, words.slice(1), spec, handler, report);
    if (name === 'repo') {
      const repoName = parsed.options.get('--name');
      if (typeof repoName === 'string') {
        if (repoNames.has(repoName)) report('warning', `repo: a repo with the name ${repoName} has already been defined`);
        repoNames.add(repoName);
      }
    }
  };

  for (const raw of lines) {
    lineNo++;
    if (raw.includes('\r')) report('error', 'carriage return in line (kickstarts use \\n line ends)');
    const trimmed = raw.trim();

    if (open) {
      if (!trimmed.startsWith('%')) {
        if (open.name === '%packages') checkPackageLine(raw, report);
        continue;
      }
      let words: string[];
      try {
        words = shlexSplit(raw);
      } catch (e) {
        report('error', `cannot split ${JSON.stringify(trimmed)}: ${(e as Error).message}`);
        continue;
      }
      const tag = words[0] ?? trimmed.split(/\s+/)[0]!;
      if (tag === '%end') {
        if (words.length > 1) report('error', `%end takes nothing after it (got ${words.slice(1).join(' ')})`);
        open = undefined;
        continue;
      }
      if (known.has(tag) || SECTION_TAGS.includes(tag)) {
        report('error', `section ${open.header.split(/\s+/)[0]} (line ${open.line}) does not end with %end before ${tag}`);
        open = undefined;
        openSection(words, raw);
        continue;
      }
      report('error', `stray line starting with % inside ${open.name === 'unsupported' ? 'a section' : open.name} (line ${open.line}): ${JSON.stringify(trimmed)}`);
      continue;
    }

    if (trimmed === '' || trimmed.startsWith('#')) continue;
    let words: string[];
    try {
      words = shlexSplit(raw);
    } catch (e) {
      report('error', `cannot split ${JSON.stringify(trimmed)}: ${(e as Error).message}`);
      continue;
    }
    if (words.length === 0) continue;
    if (words[0]!.startsWith('%')) openSection(words, raw);
    else command(words);
  }
  if (open) {
    lineNo = open.line;
    report('error', `section ${open.header.split(/\s+/)[0]} (line ${open.line}) does not end with %end`);
  }

  findings.sort((a, b) => a.line - b.line);
  return { errors: findings.filter((f) => f.severity === 'error'), warnings: findings.filter((f) => f.severity === 'warning') };
}

/** One finding per line, for assertion messages. */
export function formatFindings(r: ValidationResult): string {
  return [...r.errors, ...r.warnings]
    .sort((a, b) => a.line - b.line)
    .map((f) => `line ${f.line}: ${f.severity}: ${f.message}`)
    .join('\n');
}
