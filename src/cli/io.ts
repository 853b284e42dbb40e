// Shared CLI plumbing: exit codes, colour, and printing diagnostics.
import { diagnosticsJson, renderDiagnostics } from '../diagnostics/render.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** `check` found generated/ stale, or the definitions have errors, or a build failed. */
  failed: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** Something outside the definitions went wrong (I/O, missing engine). */
  environment: 3,
} as const;

export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') return false;
  if (process.env['FORCE_COLOR']) return true;
  return Boolean(stream.isTTY);
}

export function printDiagnostics(ds: Diagnostic[], sources: Map<string, string>): void {
  if (!ds.length) return;
  process.stderr.write(renderDiagnostics(ds, { color: useColor(process.stderr), sources }));
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export { diagnosticsJson };
