// The one place diagnostics become text (rustc/Elm style) or JSON.
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

/** Replace tabs and control characters so the caret lines up and nothing odd reaches the terminal. */
function visible(s: string): string {
  return s.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '?');
}

export function renderDiagnostic(d: Diagnostic, o: RenderOptions): string {
  const sev = d.severity === 'error' ? paint(o.color, '1;31', `error[${d.code}]`) : paint(o.color, '1;33', `warning[${d.code}]`);
  const out = [`${sev}: ${paint(o.color, '1', d.message)}`, `  --> ${d.span.file}:${d.span.line}:${d.span.col}`];
  const src = o.sources.get(d.span.file);
  const text = src !== undefined ? lineOf(src, d.span.line) : undefined;
  if (text !== undefined && (d.span.length > 0 || text.length > 0)) {
    const num = String(d.span.line);
    const pad = ' '.repeat(num.length);
    const width = d.span.endLine === d.span.line ? Math.max(1, d.span.endCol - d.span.col) : Math.max(1, text.length - d.span.col + 1);
    out.push(`${pad} |`, `${num} | ${visible(text)}`, `${pad} | ${' '.repeat(Math.max(0, d.span.col - 1))}${paint(o.color, '1;31', '^'.repeat(Math.min(width, 200)))}`);
  }
  if (d.expected) out.push(`  = expected: ${d.expected}`);
  if (d.hint) out.push(`  = ${paint(o.color, '1;36', 'help')}: ${d.hint}`);
  for (const r of d.related ?? []) out.push(`  = note: ${r.message} at ${r.span.file}:${r.span.line}:${r.span.col}`);
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
