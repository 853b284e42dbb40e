// The typed post-install operations (`post { … }`). Each checker validates its arguments and
// returns an Operation (model/spec.ts); how each is rendered for each target lives in phase 4.
import { error } from '../../diagnostics/diagnostic.js';
import type { Statement, Value } from '../../model/ast.js';
import type { Operation } from '../../model/spec.js';
import { looksLikeOption, readArgs, type OptionKind } from './args.js';
import { argCount, checked, noBlock, printable, scalar, type Ctx } from './context.js';
import { hasBidiOrInvisible } from '../../util/display.js';
import { ACCOUNT_NAME, CONTROL_OR_LINE_BREAK, DATE_FORMAT, SYSTEMD_UNIT, checkLinkTarget, checkPath, checkText, classifyPackage, explainBadPackage, normaliseMode } from './grammars.js';
import { fitted } from '../../util/arrays.js';

interface OpSpec {
  options: Record<string, OptionKind>;
  /** Runs inside the image (a second stage in Containerfiles) rather than from the builder. */
  inside?: boolean;
  check(ctx: Ctx, st: Statement, a: ReturnType<typeof readArgs>): Operation | undefined;
}

function paths(ctx: Ctx, values: Value[], glob: boolean): string[] | undefined {
  const out: string[] = [];
  let ok = true;
  for (const v of values) {
    const p = checked(ctx, v, 'an absolute path', (s) => checkPath(s, { glob }), 'E310', glob ? undefined : 'write the full path; globs are only allowed in `remove`');
    if (p === undefined) ok = false;
    else out.push(p);
  }
  return ok ? fitted(out) : undefined;
}

function mode(ctx: Ctx, a: ReturnType<typeof readArgs>): string | undefined | null {
  const m = a.options.get('mode');
  if (!m?.value) return undefined;
  const n = normaliseMode(m.value.text);
  if (!n) {
    ctx.diags.push(error('E311', m.value.span, `\`${printable(m.value.text)}\` is not a file mode`, {
      expected: 'three or four octal digits, e.g. 0644 or 0755',
      hint: 'modes are octal numbers; symbolic modes such as u+rw are not accepted',
    }));
    return null;
  }
  return n;
}

function text(ctx: Ctx, v: Value): string | undefined {
  if (v.kind !== 'string' && v.kind !== 'text') {
    ctx.diags.push(error('E312', v.span, 'file content must be a quoted string or a text block', { expected: '"…" or """ … """', hint: 'quote the content: "…"' }));
    return undefined;
  }
  return checked(ctx, v, 'text', checkText, 'E313');
}

function intOpt(ctx: Ctx, a: ReturnType<typeof readArgs>, key: string): number | undefined | null {
  const o = a.options.get(key);
  if (!o?.value) return undefined;
  if (!/^\d{1,9}$/.test(o.value.text)) {
    ctx.diags.push(error('E314', o.value.span, `\`${printable(o.value.text)}\` is not a valid ${key}`, { expected: 'a whole number, e.g. 995' }));
    return null;
  }
  return Number(o.value.text);
}

function account(ctx: Ctx, st: Statement, a: ReturnType<typeof readArgs>): string | undefined {
  if (!argCount(ctx, st, a.positionals, 1, 1, `a ${st.name} name`)) return undefined;
  return checked(ctx, a.positionals[0]!, `a valid ${st.name} name`, ACCOUNT_NAME, 'E315', 'names use lower-case letters, digits, _ and -, start with a letter or _, and are at most 32 characters');
}

function strOpt(ctx: Ctx, a: ReturnType<typeof readArgs>, key: string, test: (s: string) => string | undefined): string | undefined | null {
  const o = a.options.get(key);
  if (!o?.value) return undefined;
  const s = checked(ctx, o.value, `a valid ${key}`, test, 'E316');
  return s === undefined ? null : s;
}

const noControl = (s: string) => (CONTROL_OR_LINE_BREAK.test(s) || hasBidiOrInvisible(s) || s.includes(':') ? 'this value cannot contain control characters, line breaks, bidirectional or invisible characters, or `:`' : undefined);
const absPath = (s: string) => checkPath(s, { glob: false });

function units(ctx: Ctx, st: Statement, values: Value[]): string[] | undefined {
  if (!argCount(ctx, st, values, 1, Infinity, 'at least one systemd unit')) return undefined;
  const out: string[] = [];
  for (const v of values) {
    const u = checked(ctx, v, 'a systemd unit name', SYSTEMD_UNIT, 'E317', 'unit names end in .service, .target, .mount, .socket, …');
    if (u === undefined) return undefined;
    out.push(u);
  }
  return out;
}

function packages(ctx: Ctx, values: Value[]): string[] | undefined {
  const out: string[] = [];
  for (const v of values) {
    const s = scalar(ctx, v, 'a package name');
    if (s === undefined) return undefined;
    if (!classifyPackage(s)) {
      ctx.diags.push(error('E320', v.span, `\`${printable(s)}\` is not a valid package name`, { expected: 'an RPM name, glob, provide or @group', hint: explainBadPackage(s) }));
      return undefined;
    }
    out.push(s);
  }
  return out;
}

/**
 * A raw script is copied into a kickstart %post section as it is. pykickstart ends the section at
 * a line starting with `%`, and splits lines at more than \n (see CONTROL_OR_LINE_BREAK), so the
 * script may use \n only, and none of its lines may start with `%`.
 */
function checkScript(x: string): string | undefined {
  if (x.includes('\0')) return 'scripts cannot contain NUL';
  if (/[\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/.test(x)) return 'a script can only use \\n to end its lines (no \\r, form feeds or Unicode line separators)';
  if (/^\s*%/m.test(x)) return 'a script line cannot start with `%` (it would end a kickstart section)';
  return undefined;
}

export const OPERATIONS: Record<string, OpSpec> = {
  write: {
    options: { mode: 'value' },
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 2, 2, 'a path and the content')) return undefined;
      const [p, c] = [paths(ctx, [a.positionals[0]!], false), text(ctx, a.positionals[1]!)];
      const m = mode(ctx, a);
      if (!p || c === undefined || m === null) return undefined;
      return { op: 'write', path: p[0]!, content: c, mode: m, append: false };
    },
  },
  append: {
    options: {},
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 2, 2, 'a path and the content')) return undefined;
      const [p, c] = [paths(ctx, [a.positionals[0]!], false), text(ctx, a.positionals[1]!)];
      if (!p || c === undefined) return undefined;
      return { op: 'write', path: p[0]!, content: c, append: true };
    },
  },
  touch: {
    options: { mode: 'value' },
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one path')) return undefined;
      const p = paths(ctx, a.positionals, false);
      const m = mode(ctx, a);
      return p && m !== null ? { op: 'touch', paths: p, mode: m } : undefined;
    },
  },
  mkdir: {
    options: { mode: 'value' },
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one path')) return undefined;
      const p = paths(ctx, a.positionals, false);
      const m = mode(ctx, a);
      return p && m !== null ? { op: 'mkdir', paths: p, mode: m } : undefined;
    },
  },
  chmod: {
    options: { mode: 'value' },
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one path')) return undefined;
      const p = paths(ctx, a.positionals, false);
      const m = mode(ctx, a);
      if (m === undefined) ctx.diags.push(error('E208', st.span, '`chmod` needs `mode`', { expected: 'mode 0644', hint: 'usage: chmod PATH… mode 0700' }));
      return p && m ? { op: 'chmod', paths: p, mode: m } : undefined;
    },
  },
  remove: {
    options: {},
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one path')) return undefined;
      const p = paths(ctx, a.positionals, true);
      if (p?.some((x) => x === '/' || /^\/\*+$/.test(x))) {
        ctx.diags.push(error('E318', st.span, 'this would remove the whole image root', { expected: 'a path below /', hint: 'name the directories to remove' }));
        return undefined;
      }
      return p ? { op: 'remove', paths: p } : undefined;
    },
  },
  symlink: {
    options: {},
    check(ctx, st, a) {
      if (a.arrows.length !== 1 || !argCount(ctx, st, a.positionals, 2, 2, 'a path, `->` and a target')) {
        if (a.arrows.length !== 1) ctx.diags.push(error('E208', st.span, '`symlink` needs `PATH -> TARGET`', { expected: '`->` between the link and its target', hint: 'usage: symlink /etc/localtime -> ../usr/share/zoneinfo/UTC' }));
        return undefined;
      }
      const p = paths(ctx, [a.positionals[0]!], false);
      const t = checked(ctx, a.positionals[1]!, 'a link target', checkLinkTarget, 'E310');
      return p && t !== undefined ? { op: 'symlink', path: p[0]!, target: t } : undefined;
    },
  },
  group: {
    options: { gid: 'value', system: 'flag', password: 'value' },
    check(ctx, st, a) {
      const name = account(ctx, st, a);
      const gid = intOpt(ctx, a, 'gid');
      const password = strOpt(ctx, a, 'password', noControl);
      if (!name || gid === null || password === null) return undefined;
      return { op: 'group', name, gid, system: a.options.has('system'), password };
    },
  },
  user: {
    options: { uid: 'value', gid: 'value', system: 'flag', comment: 'value', shell: 'value', home: 'value', 'no-create-home': 'flag', password: 'value' },
    check(ctx, st, a) {
      const name = account(ctx, st, a);
      const uid = intOpt(ctx, a, 'uid');
      const gid = intOpt(ctx, a, 'gid');
      const comment = strOpt(ctx, a, 'comment', noControl);
      const shell = strOpt(ctx, a, 'shell', absPath);
      const home = strOpt(ctx, a, 'home', absPath);
      const password = strOpt(ctx, a, 'password', noControl);
      if (!name || uid === null || gid === null || comment === null || shell === null || home === null || password === null) return undefined;
      return { op: 'user', name, uid, gid, system: a.options.has('system'), comment, shell, home, createHome: !a.options.has('no-create-home'), password };
    },
  },
  'delete-lines': {
    options: { matching: 'value' },
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, 1, 'a path')) return undefined;
      const p = paths(ctx, a.positionals, true);
      const m = a.options.get('matching')?.value;
      if (!m) {
        ctx.diags.push(error('E208', st.span, '`delete-lines` needs `matching "text"`', { expected: 'matching "text"', hint: 'usage: delete-lines /etc/group- matching "sgx"' }));
        return undefined;
      }
      const t = checked(ctx, m, 'a single line of text', (s) => (s === '' || CONTROL_OR_LINE_BREAK.test(s) ? 'the text must be non-empty and on one line' : undefined), 'E316');
      return p && t !== undefined ? { op: 'delete-lines', path: p[0]!, matching: t } : undefined;
    },
  },
  replace: {
    options: {},
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, 1, 'a path (the rules go in a block)')) return undefined;
      const p = paths(ctx, a.positionals, true);
      const rules: { pattern: string; replacement: string }[] = [];
      if (!st.block) {
        ctx.diags.push(error('E203', st.span, '`replace` needs a block of rules', { expected: '`{ rule "old" -> "new" }`', hint: 'usage: replace PATH { rule "old" -> "new" }' }));
        return undefined;
      }
      for (const n of st.block.nodes) {
        if (n.kind !== 'statement' || n.name !== 'rule') {
          ctx.diags.push(error('E201', n.kind === 'statement' ? n.nameSpan : n.span, 'a `replace` block holds only `rule "old" -> "new"` lines', { expected: '`rule`' }));
          continue;
        }
        const vs = n.args.filter((x) => x.kind !== 'arrow');
        if (vs.length !== 2 || n.args.length !== 3 || n.args[1]!.kind !== 'arrow') {
          ctx.diags.push(error('E208', n.span, '`rule` needs `"old" -> "new"`', { expected: '"old" -> "new"' }));
          continue;
        }
        const single = (s: string) => (CONTROL_OR_LINE_BREAK.test(s) ? 'replacement text must be on one line' : undefined);
        const from = checked(ctx, vs[0]!, 'text to find', (s) => (s === '' ? 'the text to find cannot be empty' : single(s)), 'E316');
        const to = checked(ctx, vs[1]!, 'replacement text', single, 'E316');
        if (from !== undefined && to !== undefined) rules.push({ pattern: from, replacement: to });
      }
      return p && rules.length ? { op: 'replace', path: p[0]!, rules } : undefined;
    },
  },
  tmpfiles: {
    options: {},
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one tmpfiles.d configuration file')) return undefined;
      const p = paths(ctx, a.positionals, false);
      return p ? { op: 'tmpfiles', configs: p } : undefined;
    },
  },
  timestamp: {
    options: { format: 'value' },
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, 1, 'a path')) return undefined;
      const p = paths(ctx, a.positionals, false);
      const f = a.options.get('format')?.value;
      const format = f ? checked(ctx, f, 'a date format', DATE_FORMAT, 'E316', 'use strftime fields such as %Y%m%d_%H%M') : '%Y%m%d_%H%M';
      return p && format !== undefined ? { op: 'timestamp', path: p[0]!, format } : undefined;
    },
  },
  'copy-from-builder': {
    options: { to: 'value', mode: 'value' },
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one source path')) return undefined;
      const src = paths(ctx, a.positionals, false);
      const to = a.options.get('to')?.value;
      if (!to) {
        ctx.diags.push(error('E208', st.span, '`copy-from-builder` needs `to DIR`', { expected: 'to /dir/', hint: 'usage: copy-from-builder [SOURCES…] to DIR [mode 0644]' }));
        return undefined;
      }
      const dest = paths(ctx, [to], false);
      const m = mode(ctx, a);
      return src && dest && m !== null ? { op: 'copy-from-builder', sources: src, dest: dest[0]!, mode: m ?? '0644' } : undefined;
    },
  },
  'set-default-target': {
    options: {},
    inside: true,
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, 1, 'a target unit')) return undefined;
      const t = checked(ctx, a.positionals[0]!, 'a .target unit', /^[A-Za-z0-9:_.@][A-Za-z0-9:_.@-]*\.target$/, 'E317');
      return t ? { op: 'set-default-target', target: t } : undefined;
    },
  },
  mask: {
    options: {},
    inside: true,
    check(ctx, st, a) {
      const u = units(ctx, st, a.positionals);
      return u ? { op: 'mask', units: u } : undefined;
    },
  },
  'builder-write': {
    options: {},
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 2, 2, 'a path and the content')) return undefined;
      const [p, c] = [paths(ctx, [a.positionals[0]!], false), text(ctx, a.positionals[1]!)];
      return p && c !== undefined ? { op: 'builder-write', path: p[0]!, content: c } : undefined;
    },
  },
  'builder-remove': {
    options: {},
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one path')) return undefined;
      const p = paths(ctx, a.positionals, false);
      return p ? { op: 'builder-remove', paths: p } : undefined;
    },
  },
  'builder-install': {
    options: {},
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one package')) return undefined;
      const p = packages(ctx, a.positionals);
      return p ? { op: 'builder-install', packages: p } : undefined;
    },
  },
  install: {
    options: { 'allow-erasing': 'flag' },
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one package')) return undefined;
      const p = packages(ctx, a.positionals);
      return p ? { op: 'install', packages: p, allowErasing: a.options.has('allow-erasing') } : undefined;
    },
  },
  upgrade: {
    options: {},
    check(ctx, st, a) {
      return argCount(ctx, st, a.positionals, 0, 0, 'no arguments') ? { op: 'upgrade' } : undefined;
    },
  },
  'enable-repos': {
    options: { matching: 'list', except: 'list' },
    check(ctx, st, a) {
      // Not starting with `-`: the pattern is an argument of grep.
      const word = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;
      const list = (k: string) =>
        (a.options.get(k)?.values ?? []).map((v) => checked(ctx, v, 'a repository id fragment', word, 'E316')).filter((x): x is string => x !== undefined);
      const matching = list('matching');
      if (!matching.length) {
        ctx.diags.push(error('E208', st.span, '`enable-repos` needs `matching [...]`', { expected: 'matching [crb, powertools]' }));
        return undefined;
      }
      return { op: 'enable-repos', matching, except: list('except') };
    },
  },
  'clean-metadata': {
    options: {},
    check(ctx, st, a) {
      return argCount(ctx, st, a.positionals, 0, 0, 'no arguments') ? { op: 'clean-metadata' } : undefined;
    },
  },
  'raw-shell': {
    options: {},
    check(ctx, st, a) {
      if (!argCount(ctx, st, a.positionals, 1, 1, 'a script (a string or text block)')) return undefined;
      const v = a.positionals[0]!;
      if (v.kind !== 'text' && v.kind !== 'string') {
        ctx.diags.push(error('E312', v.span, 'a raw shell step must be a quoted string or a text block', { expected: '"…" or """ … """' }));
        return undefined;
      }
      const s = checked(ctx, v, 'a script', checkScript, 'E319');
      return s !== undefined ? { op: 'shell', script: s } : undefined;
    },
  },
};

export const OPERATION_NAMES = Object.keys(OPERATIONS);

export function checkOperation(ctx: Ctx, st: Statement): { operation: Operation; inside: boolean } | undefined {
  const spec = OPERATIONS[st.name];
  if (!spec) return undefined;
  if (st.name !== 'replace') noBlock(ctx, st);
  const takesPaths = !['symlink', 'group', 'user', 'install', 'builder-install', 'upgrade', 'enable-repos', 'clean-metadata', 'raw-shell', 'set-default-target', 'mask'].includes(st.name);
  const a = readArgs(st, spec.options, ctx.diags, { optionLike: takesPaths ? looksLikeOption : undefined });
  const operation = spec.check(ctx, st, a);
  return operation ? { operation, inside: spec.inside ?? false } : undefined;
}
