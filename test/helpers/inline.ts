// Compiling small inline definitions with the real compiler, and reading the diagnostics back.
import { expect } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { compileSources, type Compilation } from '../../src/project.js';

/** The smallest world a definition can live in: two platforms and two releases. */
export const AXES = `platform linux/amd64 {
  basearch x86_64
}
platform linux/arm64 {
  basearch aarch64
}
platform linux/386 {
  basearch i686
}
release 9 {
  releasever 9
  builder quay.io/almalinuxorg/almalinux:9
  platforms [linux/amd64, linux/arm64, linux/386]
}
release 10 {
  releasever 10
  builder quay.io/almalinuxorg/almalinux:10
  platforms [linux/amd64, linux/arm64]
}
`;

export const AXES_FILE = 'definitions/axes.alma';
export const TEST_FILE = 'definitions/test.alma';

/** Compiles `text` as definitions/test.alma next to the AXES declarations (plus any other files). */
export function compileInline(text: string, others: Record<string, string> = {}): Compilation {
  const sources = new Map<string, string>([[AXES_FILE, AXES], [TEST_FILE, text], ...Object.entries(others)]);
  return compileSources('/nonexistent-project-root', sources);
}

/** An image body wrapped so that it compiles on its own: `image t { releases [9] install dnf … }`. */
export function imageWith(body: string): string {
  return `image t {\n  releases [9]\n  install dnf\n${body}\n}\n`;
}

/** "E302 definitions/test.alma:4:18" — the part of a diagnostic a user navigates by. */
export function where(d: Diagnostic): string {
  return `${d.code} ${d.span.file}:${d.span.line}:${d.span.col}`;
}

export function errorsOf(c: Compilation): Diagnostic[] {
  return c.diagnostics.filter((d) => d.severity === 'error');
}

/**
 * "test.alma:3:5": where `needle` starts in `text` (its `nth` occurrence, 1-based), so tests name
 * the token a diagnostic must point at instead of counting columns by hand.
 */
export function at(text: string, needle: string, nth = 1, file = 'test.alma'): string {
  let offset = -1;
  for (let i = 0; i < nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`test bug: ${JSON.stringify(needle)} occurs fewer than ${nth} times`);
  }
  const before = text.slice(0, offset).split('\n');
  return `${file}:${before.length}:${before[before.length - 1]!.length + 1}`;
}

export interface ExpectedDiagnostic {
  code: string;
  /** "test.alma:LINE:COL" (the file name without `definitions/`). */
  at: string;
  /** A substring of the message. */
  message: string;
  /** A substring of the hint, when the hint matters. */
  hint?: string;
}

/** The diagnostics in the form tests compare: code, location and message, in reported order. */
export function reported(c: Compilation): { code: string; at: string; message: string; hint?: string }[] {
  return c.diagnostics.map((d) => ({
    code: d.code,
    at: `${d.span.file.replace(/^definitions\//, '')}:${d.span.line}:${d.span.col}`,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
  }));
}

/** Matchers for `expect(reported(c)).toEqual(...)`: exactly these diagnostics, in this order. */
export function diagnostics(expected: ExpectedDiagnostic[]): unknown[] {
  return expected.map((e) =>
    expect.objectContaining({
      code: e.code,
      at: e.at,
      message: expect.stringContaining(e.message),
      ...(e.hint !== undefined ? { hint: expect.stringContaining(e.hint) } : {}),
    }),
  );
}
