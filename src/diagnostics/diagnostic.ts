// Diagnostics are data: every phase returns them instead of throwing, and one renderer
// (render.ts) turns them into text or JSON. Codes are stable so tests and users can rely on them.

/** A location in a source file. Lines and columns are 1-based; offsets are 0-based UTF-16 indices. */
export interface Span {
  file: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  offset: number;
  length: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  /** What would be accepted at this place ("a package name", "one of: dnf, microdnf, none"). */
  expected?: string;
  /** How to fix it, when we can tell. */
  hint?: string;
  /** Other places that explain this one (e.g. the first definition of a duplicate). */
  related?: { message: string; span: Span }[];
}

export function error(code: string, span: Span, message: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { code, severity: 'error', message, span, ...extra };
}

export function warning(code: string, span: Span, message: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { code, severity: 'warning', message, span, ...extra };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** Sort by file, then position, then code: the order users read them in, and stable across runs. */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  return [...diags].sort(
    (a, b) =>
      (a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : 0) ||
      a.span.offset - b.span.offset ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/** A span covering the whole of a file that could not be read, or a project-level problem. */
export function fileSpan(file: string): Span {
  return { file, line: 1, col: 1, endLine: 1, endCol: 1, offset: 0, length: 0 };
}
