// Shared helpers for the statement checkers: diagnostics for unknown statements, argument counts,
// and typed value readers that validate against the grammars in grammars.ts.
import { error, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import type { Statement, Value } from '../../model/ast.js';
import type { Named } from '../../model/checked.js';
import { didYouMean } from '../../util/suggest.js';
import type { Axes } from './conditions.js';

export interface Ctx {
  diags: Diagnostic[];
  axes: Axes;
}

export function unknownStatement(ctx: Ctx, st: Statement, where: string, known: readonly string[], extraHint?: string): void {
  ctx.diags.push(error('E201', st.nameSpan, `unknown ${where} statement \`${st.name}\``, {
    expected: `one of: ${known.join(', ')}`,
    hint: didYouMean(st.name, known) ?? extraHint,
  }));
}

export function noBlock(ctx: Ctx, st: Statement): void {
  if (st.block) {
    ctx.diags.push(error('E202', st.block.span, `\`${st.name}\` does not take a block`, { expected: 'the end of the statement', hint: 'remove the `{ … }`' }));
  }
}

export function needBlock(ctx: Ctx, st: Statement): boolean {
  if (!st.block) {
    ctx.diags.push(error('E203', st.span, `\`${st.name}\` needs a block \`{ … }\``, { expected: '`{`', hint: `write \`${st.name} { … }\`` }));
    return false;
  }
  return true;
}

export function argCount(ctx: Ctx, st: Statement, values: Value[], min: number, max: number, what: string): boolean {
  if (values.length < min) {
    ctx.diags.push(error('E208', st.span, `\`${st.name}\` needs ${what}`, { expected: what, hint: usageHint(st.name) }));
    return false;
  }
  if (values.length > max) {
    ctx.diags.push(error('E209', values[max]!.span, `\`${st.name}\` takes ${max === 1 ? 'one value' : `at most ${max} values`}; this one is extra`, {
      expected: 'the end of the statement',
      hint: usageHint(st.name) ?? 'remove the extra value, or quote text that contains spaces',
    }));
    return false;
  }
  return true;
}

const USAGE: Record<string, string> = {
  write: 'write PATH "content" [mode 0644]',
  append: 'append PATH "content"',
  symlink: 'symlink PATH -> TARGET',
  'delete-lines': 'delete-lines PATH matching "text"',
  replace: 'replace PATH { rule "old" -> "new" }',
  env: 'env NAME "value"',
  label: 'label "name" "value"',
  group: 'group NAME [gid N] [system] [password "…"]',
  user: 'user NAME [uid N] [gid N] [system] [comment "…"] [shell PATH] [home PATH] [no-create-home]',
  timestamp: 'timestamp PATH [format "%Y%m%d_%H%M"]',
  'copy-from-builder': 'copy-from-builder [SOURCES…] to DIR [mode 0644]',
  'command-output': 'command-output [ARGV…] matches "regex"',
};

export function usageHint(name: string): string | undefined {
  const u = USAGE[name];
  return u ? `usage: ${u}` : undefined;
}

export function named(v: Value): Named {
  return { name: v.text, span: v.span };
}

export function scalar(ctx: Ctx, v: Value, what: string): string | undefined {
  if (v.kind === 'list' || v.kind === 'arrow') {
    ctx.diags.push(error('E210', v.span, `expected ${what}, found a ${v.kind === 'list' ? 'list' : '`->`'}`, { expected: what }));
    return undefined;
  }
  return v.text;
}

export function checked(ctx: Ctx, v: Value, what: string, test: RegExp | ((s: string) => string | undefined), code: string, hint?: string): string | undefined {
  const s = scalar(ctx, v, what);
  if (s === undefined) return undefined;
  const problem = typeof test === 'function' ? test(s) : test.test(s) ? undefined : `\`${printable(s)}\` is not ${what}`;
  if (problem) {
    ctx.diags.push(error(code, v.span, typeof test === 'function' ? `${problem}: \`${printable(s)}\`` : problem, { expected: what, hint }));
    return undefined;
  }
  return s;
}

export function printable(s: string): string {
  const short = s.length > 60 ? s.slice(0, 60) + '…' : s;
  return short.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : `\\u{${c.charCodeAt(0).toString(16)}}`));
}

const TRUE = new Set(['on', 'true', 'yes']);
const FALSE = new Set(['off', 'false', 'no']);

export function bool(ctx: Ctx, v: Value | undefined, st: Statement): boolean | undefined {
  if (!v) {
    ctx.diags.push(error('E208', st.span, `\`${st.name}\` needs \`on\` or \`off\``, { expected: '`on` or `off`' }));
    return undefined;
  }
  if (TRUE.has(v.text)) return true;
  if (FALSE.has(v.text)) return false;
  ctx.diags.push(error('E211', v.span, `\`${printable(v.text)}\` is not on or off`, { expected: '`on` or `off`', hint: didYouMean(v.text, ['on', 'off']) }));
  return undefined;
}

export function oneOf<T extends string>(ctx: Ctx, v: Value | undefined, st: Statement, choices: readonly T[]): T | undefined {
  if (!v) {
    ctx.diags.push(error('E208', st.span, `\`${st.name}\` needs a value`, { expected: `one of: ${choices.join(', ')}` }));
    return undefined;
  }
  if ((choices as readonly string[]).includes(v.text)) return v.text as T;
  ctx.diags.push(error('E211', v.span, `\`${printable(v.text)}\` is not a valid \`${st.name}\``, { expected: `one of: ${choices.join(', ')}`, hint: didYouMean(v.text, choices) }));
  return undefined;
}

export function spanOf(st: Statement): Span {
  return st.span;
}
