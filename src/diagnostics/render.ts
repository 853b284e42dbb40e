// The one place diagnostics become text (rustc/Elm style) or JSON.
import { shownText } from '../util/display.js';
import type { Diagnostic } from './diagnostic.js';

export interface RenderOptions {
  color: boolean;
  /** Source text by file path, to show the offending line. */
  sources: Map<string, string>;
}

const paint = (on: boolean, code: string, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

function lineOf(text: string, line: number): string | undefined {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? undefined : end).replace(/\r$/, '');
}

/**
 * Tabs as spaces (so the caret lines up); control, bidirectional and invisible characters as
 * \u{…} (util/display.ts), so that a line shows what it holds, never a reordering of it.
 */
const visible = (s: string) => shownText(s.replace(/\t/g, ' '));

export function renderDiagnostic(d: Diagnostic, o: RenderOptions): string {
  const sev = d.severity === 'error' ? paint(o.color, '1;31', `error[${d.code}]`) : paint(o.color, '1;33', `warning[${d.code}]`);
  const out = [`${sev}: ${paint(o.color, '1', visible(d.message))}`, `  --> ${visible(d.span.file)}:${d.span.line}:${d.span.col}`];
  const src = o.sources.get(d.span.file);
  const text = src !== undefined ? lineOf(src, d.span.line) : undefined;
  if (text !== undefined && (d.span.length > 0 || text.length > 0)) {
    const num = String(d.span.line);
    const pad = ' '.repeat(num.length);
    const from = Math.max(0, d.span.col - 1);
    const to = d.span.endLine === d.span.line ? Math.max(from + 1, d.span.endCol - 1) : text.length;
    // Columns as displayed: an escaped character takes the width of its escape.
    const before = visible(text.slice(0, from)).length;
    const width = Math.max(1, visible(text.slice(from, to)).length);
    out.push(`${pad} |`, `${num} | ${visible(text)}`, `${pad} | ${' '.repeat(before)}${paint(o.color, '1;31', '^'.repeat(Math.min(width, 200)))}`);
  }
  if (d.expected) out.push(`  = expected: ${visible(d.expected)}`);
  if (d.hint) out.push(`  = ${paint(o.color, '1;36', 'help')}: ${visible(d.hint)}`);
  for (const r of d.related ?? []) out.push(`  = note: ${visible(r.message)} at ${visible(r.span.file)}:${r.span.line}:${r.span.col}`);
  return out.join('\n');
}

export function renderDiagnostics(ds: Diagnostic[], o: RenderOptions): string {
  if (!ds.length) return '';
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.length - errors;
  const summary = [errors ? `${errors} error${errors === 1 ? '' : 's'}` : '', warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
  return ds.map((d) => renderDiagnostic(d, o)).join('\n\n') + `\n\n${summary}\n`;
}

export function diagnosticsJson(ds: Diagnostic[]): object[] {
  return ds.map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: d.span.file,
    line: d.span.line,
    column: d.span.col,
    endLine: d.span.endLine,
    endColumn: d.span.endCol,
    ...(d.expected ? { expected: d.expected } : {}),
    ...(d.hint ? { hint: d.hint } : {}),
    ...(d.related ? { related: d.related.map((r) => ({ message: r.message, file: r.span.file, line: r.span.line, column: r.span.col })) } : {}),
  }));
}
