// Image and fragment bodies: settings, package statements, and the `post`, `config`, `naming`,
// `kickstart` and `assert` blocks. Conditions are checked here and kept for phase 3.
import { error } from '../../diagnostics/diagnostic.js';
import type { Node, Statement, Value } from '../../model/ast.js';
import type { BodyItem, ConfigItem, NamingItem, PackageAction, Setting } from '../../model/checked.js';
import { kickstartStatement, namingExtra } from './kickstart-settings.js';
import type { Assertion } from '../../model/spec.js';
import { readArgs } from './args.js';
import { checkCondition } from './conditions.js';
import { argCount, bool, checked, named, needBlock, noBlock, oneOf, printable, scalar, unknownStatement, type Ctx } from './context.js';
import { ENV_KEY, IMAGE_REF, LABEL_KEY, LOCALE, SIGNAL, USER_SPEC, checkArg, checkPath, checkSingleLine, classifyPackage, explainBadPackage } from './grammars.js';
import { OPERATION_NAMES, checkOperation } from './operations.js';
import { officialLibraryStatement } from './official-library.js';
import { NAMING_STATEMENTS, publishStatement } from './registries.js';
import { didYouMean } from '../../util/suggest.js';
import { fitted, pushAll } from '../../util/arrays.js';
import { undeclaredHint } from './axis-hints.js';
import { dropAssertionWith, dropConfig, dropSteps, insteadOf } from './drops.js';

const SETTINGS = ['description', 'releases', 'platforms', 'ubi', 'package-manager', 'weak-deps', 'docs', 'install-langs', 'builder', 'clean-after-install', 'repositories'] as const;
const PACKAGE_ACTIONS: readonly PackageAction[] = ['install', 'exclude', 'remove', 'reinstall', 'omit'];
const BLOCKS = ['post', 'config', 'naming', 'official-library', 'kickstart', 'assert'] as const;
export const BODY_STATEMENTS = ['use', ...SETTINGS, ...PACKAGE_ACTIONS, ...BLOCKS];

/** Walks a list of nodes, handling `when` uniformly and delegating statements. */
function walk(ctx: Ctx, nodes: Node[], each: (st: Statement) => BodyItem | BodyItem[] | undefined): BodyItem[] {
  const out: BodyItem[] = [];
  for (const n of nodes) {
    if (n.kind === 'when') {
      const condition = checkCondition(n.condition, ctx.axes, ctx.diags, { platformAllowed: true });
      out.push({ kind: 'when', condition, then: walk(ctx, n.then.nodes, each), otherwise: n.otherwise ? walk(ctx, n.otherwise.nodes, each) : [], span: n.span });
      continue;
    }
    const r = each(n);
    if (Array.isArray(r)) pushAll(out, r);
    else if (r) out.push(r);
  }
  return fitted(out);
}

export function checkBody(ctx: Ctx, nodes: Node[]): BodyItem[] {
  return walk(ctx, nodes, (st) => bodyStatement(ctx, st));
}

function bodyStatement(ctx: Ctx, st: Statement): BodyItem | BodyItem[] | undefined {
  if (st.name === 'use') {
    noBlock(ctx, st);
    const a = readArgs(st, {}, ctx.diags);
    if (!argCount(ctx, st, a.positionals, 1, Infinity, 'a fragment name')) return undefined;
    return a.positionals.map((v) => ({ kind: 'use' as const, fragment: named(v), span: st.span }));
  }
  if ((SETTINGS as readonly string[]).includes(st.name)) {
    noBlock(ctx, st);
    const setting = checkSetting(ctx, st);
    return setting ? { kind: 'setting', setting, span: st.span } : undefined;
  }
  if ((PACKAGE_ACTIONS as readonly string[]).includes(st.name)) {
    noBlock(ctx, st);
    return checkPackages(ctx, st);
  }
  switch (st.name) {
    case 'post':
      return needBlock(ctx, st) ? walk(ctx, st.block!.nodes, (s) => postStatement(ctx, s)) : undefined;
    case 'config':
      return needBlock(ctx, st) ? walk(ctx, st.block!.nodes, (s) => configStatement(ctx, s)) : undefined;
    case 'naming':
      return needBlock(ctx, st) ? walk(ctx, st.block!.nodes, (s) => namingStatement(ctx, s)) : undefined;
    case 'official-library':
      return needBlock(ctx, st) ? walk(ctx, st.block!.nodes, (s) => officialLibraryStatement(ctx, s)) : undefined;
    case 'kickstart':
      return needBlock(ctx, st) ? walk(ctx, st.block!.nodes, (s) => kickstartStatement(ctx, s)) : undefined;
    case 'assert':
      return needBlock(ctx, st) ? walk(ctx, st.block!.nodes, (s) => assertStatement(ctx, s)) : undefined;
  }
  const isOp = OPERATION_NAMES.includes(st.name) && !(PACKAGE_ACTIONS as readonly string[]).includes(st.name);
  unknownStatement(ctx, st, 'image', BODY_STATEMENTS, isOp ? `\`${st.name}\` is a post-install step; put it inside \`post { … }\`` : undefined);
  return undefined;
}

function checkSetting(ctx: Ctx, st: Statement): Setting | undefined {
  const a = readArgs(st, {}, ctx.diags);
  const one = () => (argCount(ctx, st, a.positionals, 1, 1, 'a value') ? a.positionals[0] : undefined);
  switch (st.name) {
    case 'description': {
      const v = one();
      const s = v && checked(ctx, v, 'a one-line description', checkSingleLine, 'E316');
      return s !== undefined ? { key: 'description', value: s } : undefined;
    }
    case 'releases':
    case 'platforms': {
      if (!argCount(ctx, st, a.positionals, 1, Infinity, `at least one ${st.name.slice(0, -1)}`)) return undefined;
      const axis = st.name === 'releases' ? ctx.axes.releases : ctx.axes.platforms;
      const vals = a.positionals.filter((v) => {
        if (axis.has(v.text)) return true;
        ctx.diags.push(error('E302', v.span, `\`${printable(v.text)}\` is not a declared ${st.name.slice(0, -1)}`, {
          expected: axis.size ? `one of: ${[...axis].sort().join(', ')}` : `a ${st.name.slice(0, -1)} declared with \`${st.name.slice(0, -1)} NAME { … }\``,
          hint: undeclaredHint(st.name === 'releases' ? 'release' : 'platform', v.text, axis),
        }));
        return false;
      });
      return vals.length === a.positionals.length ? { key: st.name, value: vals.map(named) } : undefined;
    }
    case 'ubi': {
      const v = oneOf(ctx, one(), st, ['base', 'init', 'micro', 'minimal'] as const);
      return v ? { key: 'ubi', value: v } : undefined;
    }
    case 'package-manager': {
      const v = oneOf(ctx, one(), st, ['dnf', 'microdnf', 'none'] as const);
      return v ? { key: 'package-manager', value: v } : undefined;
    }
    case 'weak-deps':
    case 'docs':
    case 'clean-after-install': {
      const v = bool(ctx, one(), st);
      return v === undefined ? undefined : { key: st.name, value: v };
    }
    case 'install-langs': {
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one locale')) return undefined;
      const ls = a.positionals.map((v) => checked(ctx, v, 'a locale name such as en_US.UTF-8', LOCALE, 'E316'));
      return ls.every((x) => x !== undefined) ? { key: 'install-langs', value: ls as string[] } : undefined;
    }
    case 'builder': {
      const v = one();
      const s = v && checked(ctx, v, 'an image reference such as registry.example.org/el/base:9', IMAGE_REF, 'E316');
      return s ? { key: 'builder', value: s } : undefined;
    }
    case 'repositories': {
      if (!argCount(ctx, st, a.positionals, 0, Infinity, 'repository ids')) return undefined;
      return { key: 'repositories', value: a.positionals.map(named) };
    }
  }
  return undefined;
}

function checkPackages(ctx: Ctx, st: Statement): BodyItem | undefined {
  const a = readArgs(st, st.name === 'reinstall' ? { langs: 'value' } : {}, ctx.diags);
  if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one package name')) return undefined;
  const names = [];
  for (const [i, v] of a.positionals.entries()) {
    const s = scalar(ctx, v, 'a package name');
    if (s === undefined) continue;
    if (splitName(ctx, v, a.positionals[i - 1], a.positionals[i + 1])) continue;
    const kind = classifyPackage(s);
    if (!kind) {
      ctx.diags.push(error('E320', v.span, `\`${printable(s)}\` is not a valid package name`, { expected: 'an RPM package name, glob, provide or @group', hint: explainBadPackage(s) }));
      continue;
    }
    if (kind === 'group' && st.name !== 'install' && st.name !== 'exclude') {
      ctx.diags.push(error('E321', v.span, `\`${st.name}\` cannot take a group`, { expected: 'a package name', hint: 'groups can be installed or excluded only' }));
      continue;
    }
    names.push(named(v));
  }
  let langs: string | undefined;
  const l = a.options.get('langs')?.value;
  if (l) langs = checked(ctx, l, 'a locale such as en_US.UTF-8', LOCALE, 'E316');
  return { kind: 'packages', action: st.name as PackageAction, names: fitted(names), langs, span: st.span };
}

/**
 * `python3- pip` and `python3 -pip` are one name split by a space: an item ending in `-`, or an
 * item starting with `-` right after another on the same line. Reported with the joined name.
 */
function splitName(ctx: Ctx, v: Value, prev: Value | undefined, next: Value | undefined): boolean {
  const sameLine = (x: Value | undefined, y: Value | undefined) => x !== undefined && y !== undefined && x.kind === 'word' && y.kind === 'word' && x.span.line === y.span.line;
  if (v.text.endsWith('-') && v.text.length > 1) {
    const joined = sameLine(v, next) ? `${v.text}${next!.text.replace(/^-/, '')}` : undefined;
    ctx.diags.push(error('E322', v.span, `package name \`${printable(v.text)}\` ends in \`-\``, {
      expected: 'a whole RPM package name',
      hint: joined ? `did you mean \`${printable(joined)}\`? A space splits a name into two items (\`${printable(v.text)}\` and \`${printable(next!.text)}\`)` : 'RPM names do not end in `-`; complete the name, or use a glob such as `python3-*`',
    }));
    return true;
  }
  if (v.text.startsWith('-') && v.text.length > 1 && sameLine(prev, v) && !prev!.text.endsWith('-')) {
    ctx.diags.push(error('E322', v.span, `\`${printable(v.text)}\` is the tail of a package name`, {
      expected: 'a whole RPM package name',
      hint: `did you mean \`${printable(prev!.text + v.text)}\`? A space splits a name into two items; to exclude a package write \`exclude ${printable(v.text.slice(1))}\``,
    }));
    return true;
  }
  return false;
}

function postStatement(ctx: Ctx, st: Statement): BodyItem | BodyItem[] | undefined {
  if (st.name === 'drop') return dropSteps(ctx, st);
  if (st.name === 'instead-of') return insteadOf(ctx, st, (s) => postStatement(ctx, s), walk);
  if (!OPERATION_NAMES.includes(st.name)) {
    unknownStatement(ctx, st, 'post-install', [...OPERATION_NAMES, 'drop', 'instead-of']);
    return undefined;
  }
  const r = checkOperation(ctx, st);
  return r ? { kind: 'step', operation: r.operation, inside: r.inside, span: st.span } : undefined;
}

const CONFIG = ['cmd', 'entrypoint', 'env', 'label', 'stopsignal', 'user', 'workdir'];

function configStatement(ctx: Ctx, st: Statement): BodyItem | undefined {
  if (st.name === 'drop') return dropConfig(ctx, st);
  if (!CONFIG.includes(st.name)) {
    unknownStatement(ctx, st, 'config', [...CONFIG, 'drop']);
    return undefined;
  }
  noBlock(ctx, st);
  const vals = st.args.filter((v) => v.kind !== 'arrow');
  let item: ConfigItem | undefined;
  switch (st.name) {
    case 'cmd':
    case 'entrypoint': {
      if (vals.length !== 1 || vals[0]!.kind !== 'list') {
        ctx.diags.push(error('E208', st.span, `\`${st.name}\` takes a list (exec form)`, { expected: `${st.name} ["/bin/bash"]`, hint: 'shell form is not supported: write each argument as a list item' }));
        return undefined;
      }
      const argv = (vals[0]!.items ?? []).map((v) => checked(ctx, v, 'an argument', checkArg, 'E316'));
      if (argv.some((x) => x === undefined)) return undefined;
      if (argv.length === 0 && st.name === 'cmd') {
        ctx.diags.push(error('E208', st.span, '`cmd` needs at least one argument', { expected: 'cmd ["/bin/bash"]' }));
        return undefined;
      }
      item = { key: st.name, value: argv as string[] };
      break;
    }
    case 'env':
    case 'label': {
      if (!argCount(ctx, st, vals, 2, 2, 'a name and a value')) return undefined;
      const name = checked(ctx, vals[0]!, st.name === 'env' ? 'an environment variable name' : 'a label key', st.name === 'env' ? ENV_KEY : LABEL_KEY, 'E330',
        st.name === 'env' ? 'names use letters, digits and _, and do not start with a digit' : 'label keys use letters, digits and . _ / -');
      const value = checked(ctx, vals[1]!, 'a single-line value', checkSingleLine, 'E331');
      if (name === undefined || value === undefined || !placeholdersOk(ctx, vals[1]!, value)) return undefined;
      item = { key: st.name, name, value };
      break;
    }
    case 'stopsignal':
    case 'user':
    case 'workdir': {
      if (!argCount(ctx, st, vals, 1, 1, 'a value')) return undefined;
      const test =
        st.name === 'stopsignal' ? SIGNAL : st.name === 'user' ? USER_SPEC : (s: string) => checkPath(s, { glob: false }) ?? (/[\s"'$\\]/.test(s) ? 'a working directory cannot contain whitespace, quotes, `$` or `\\`' : undefined);
      const what = st.name === 'stopsignal' ? 'a signal such as SIGTERM or SIGRTMIN+3' : st.name === 'user' ? 'a user such as root, 1001 or app:app' : 'an absolute path';
      const v = checked(ctx, vals[0]!, what, test, 'E332');
      if (v === undefined) return undefined;
      item = { key: st.name, value: v };
      break;
    }
  }
  return item ? { kind: 'config', item, span: st.span } : undefined;
}

const PLACEHOLDERS = ['release', 'image', 'version', 'releasever', 'date'];

/** ENV and LABEL values may name the release or image: `{release}`, `{version}`, `{image}`, `{releasever}`. */
function placeholdersOk(ctx: Ctx, v: Value, s: string): boolean {
  for (const m of s.matchAll(/\{([^{}]*)\}/g)) {
    if (!PLACEHOLDERS.includes(m[1]!) || m[1] === 'date') {
      ctx.diags.push(error('E341', v.span, `unknown placeholder \`{${m[1]}}\` in a value`, {
        expected: '{release}, {version}, {releasever} or {image}',
        hint: 'values are literal except for these placeholders; the build date is not known when files are generated',
      }));
      return false;
    }
  }
  return true;
}

function template(ctx: Ctx, v: Value, what: string): string | undefined {
  const s = checked(ctx, v, what, /^[A-Za-z0-9._/{}:-]+$/, 'E340', 'use letters, digits, . _ - / and {placeholders}');
  if (s === undefined) return undefined;
  for (const m of s.matchAll(/\{([^}]*)\}/g)) {
    if (!PLACEHOLDERS.includes(m[1]!)) {
      ctx.diags.push(error('E341', v.span, `unknown placeholder \`{${m[1]}}\``, { expected: PLACEHOLDERS.map((p) => `{${p}}`).join(', ') }));
      return undefined;
    }
  }
  if (/[{}]/.test(s.replace(/\{[a-z]+\}/g, ''))) {
    ctx.diags.push(error('E341', v.span, 'unbalanced `{` or `}` in a name template', { expected: '{placeholder}' }));
    return undefined;
  }
  return s;
}

function namingStatement(ctx: Ctx, st: Statement): BodyItem | undefined {
  noBlock(ctx, st);
  if (st.name === 'publish' || st.name === 'unpublish') {
    const item = publishStatement(ctx, st, (v) => template(ctx, v, 'a repository name such as {release}-{image}'));
    return item ? { kind: 'naming', item, span: st.span } : undefined;
  }
  const a = readArgs(st, {}, ctx.diags);
  let item: NamingItem | undefined;
  if (st.name === 'repository') {
    if (!argCount(ctx, st, a.positionals, 1, 1, 'a repository name template')) return undefined;
    const t = template(ctx, a.positionals[0]!, 'a repository name such as example/{release}-{image}');
    if (t) item = { key: 'repository', value: t };
  } else if (st.name === 'tag' || st.name === 'tags') {
    if (!argCount(ctx, st, a.positionals, st.name === 'tags' ? 0 : 1, Infinity, 'at least one tag')) return undefined;
    const ts = a.positionals.map((v) => template(ctx, v, 'a tag such as {version}-{date}'));
    if (ts.every((x) => x !== undefined)) item = { key: st.name, value: ts as string[] };
  } else if (st.name === 'title' || st.name === 'kickstart-file') {
    if (!argCount(ctx, st, a.positionals, 1, 1, st.name === 'title' ? 'a title such as "Example Linux {release}"' : 'a file name template')) return undefined;
    const t = namingExtra(ctx, st.name, a.positionals[0]!);
    if (t) item = { key: st.name, value: t };
  } else if (st.name === 'newest-release-tag') {
    if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one tag')) return undefined;
    const ts = a.positionals.map((v) => template(ctx, v, 'a tag such as latest'));
    if (ts.every((x) => x !== undefined)) item = { key: st.name, value: ts as string[] };
  } else {
    unknownStatement(ctx, st, 'naming', NAMING_STATEMENTS);
  }
  return item ? { kind: 'naming', item, span: st.span } : undefined;
}

const ASSERTIONS = ['package-installed', 'package-absent', 'path-exists', 'path-absent', 'command-succeeds', 'command-output'];

function assertStatement(ctx: Ctx, st: Statement): BodyItem[] | undefined {
  if (st.name === 'drop') return dropAssertion(ctx, st);
  if (!ASSERTIONS.includes(st.name)) {
    unknownStatement(ctx, st, 'assert', [...ASSERTIONS, 'drop']);
    return undefined;
  }
  noBlock(ctx, st);
  const a = readArgs(st, st.name === 'command-output' ? { matches: 'value' } : {}, ctx.diags);
  const out: Assertion[] = [];
  switch (st.name) {
    case 'package-installed':
    case 'package-absent':
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one package')) return undefined;
      for (const v of a.positionals) {
        const s = checked(ctx, v, 'a package name', (x) => (classifyPackage(x) === 'name' ? undefined : explainBadPackage(x)), 'E320');
        if (s) out.push({ kind: st.name, name: s });
      }
      break;
    case 'path-exists':
    case 'path-absent':
      if (!argCount(ctx, st, a.positionals, 1, Infinity, 'at least one path')) return undefined;
      for (const v of a.positionals) {
        const s = checked(ctx, v, 'an absolute path', (x) => checkPath(x, { glob: false }), 'E310');
        if (s) out.push({ kind: st.name, path: s });
      }
      break;
    case 'command-succeeds':
    case 'command-output': {
      const argv = st.args.find((x) => x.kind === 'list');
      if (!argv || !argv.items?.length) {
        ctx.diags.push(error('E208', st.span, `\`${st.name}\` needs the command as a list`, { expected: '["cmd", "arg"]', hint: st.name === 'command-output' ? 'usage: command-output ["cat", "/etc/os-release"] matches "^NAME="' : 'usage: command-succeeds ["rpm", "-q", "bash"]' }));
        return undefined;
      }
      const args = argv.items.map((v) => checked(ctx, v, 'an argument', checkArg, 'E316'));
      if (args.some((x) => x === undefined)) return undefined;
      if (st.name === 'command-succeeds') out.push({ kind: 'command-succeeds', argv: args as string[] });
      else {
        const m = a.options.get('matches')?.value;
        if (!m) {
          ctx.diags.push(error('E208', st.span, '`command-output` needs `matches "regex"`', { expected: 'matches "regex"' }));
          return undefined;
        }
        const re = checked(ctx, m, 'a regular expression', (x) => { try { new RegExp(x); return undefined; } catch (e) { return `not a valid regular expression (${(e as Error).message})`; } }, 'E342');
        if (re === undefined) return undefined;
        out.push({ kind: 'command-output', argv: args as string[], matches: re });
      }
      break;
    }
  }
  return out.map((assertion) => ({ kind: 'assert', assertion, span: st.span }));
}

function dropAssertion(ctx: Ctx, st: Statement): BodyItem[] | undefined {
  return dropAssertionWith(ctx, st, assertStatement);
}
