// The property every input must satisfy, whatever it contains. Shared by the vitest suite (which
// passes the compiler from src/) and scripts/fuzz.mjs (which passes the one from dist/).

/** A hang guard, not a speed requirement: no single input may take longer than this. */
export const TIME_LIMIT_MS = 2000;

/** The definitions directory: the only file name a project-level diagnostic may carry. */
const PROJECT_LEVEL_FILES = new Set(['definitions']);

/** 1-based line and column of a UTF-16 offset, computed independently of the compiler. */
function position(text, offset) {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

const isCount = (n) => Number.isInteger(n) && n >= 0;

/** Why this span does not lie inside its input, or undefined when it does. */
export function spanProblem(span, sources) {
  if (!span || typeof span.file !== 'string') return 'has no span';
  const text = sources.get(span.file);
  if (text === undefined) {
    return PROJECT_LEVEL_FILES.has(span.file) && span.offset === 0 && span.length === 0 ? undefined : `names a file that is not an input: ${JSON.stringify(span.file)}`;
  }
  for (const k of ['offset', 'length', 'line', 'col', 'endLine', 'endCol']) {
    if (!isCount(span[k])) return `has ${k} = ${span[k]}`;
  }
  if (span.offset + span.length > text.length) return `ends at offset ${span.offset + span.length}, past the end of the text (${text.length})`;
  const start = position(text, span.offset);
  const end = position(text, span.offset + span.length);
  if (start.line !== span.line || start.col !== span.col) return `starts at ${span.line}:${span.col} but its offset ${span.offset} is at ${start.line}:${start.col}`;
  if (end.line !== span.endLine || end.col !== span.endCol) return `ends at ${span.endLine}:${span.endCol} but its end offset is at ${end.line}:${end.col}`;
  return undefined;
}

function diagnosticProblems(diagnostics, sources) {
  const out = [];
  for (const d of diagnostics) {
    const where = `${d.code} "${String(d.message).slice(0, 80)}"`;
    if (!/^[EW]\d{3}$/.test(d.code)) out.push(`${where}: code is not of the form E123`);
    if (typeof d.message !== 'string' || d.message.trim() === '') out.push(`${where}: empty message`);
    const p = spanProblem(d.span, sources);
    if (p) out.push(`${where}: span ${p}`);
    for (const r of d.related ?? []) {
      const rp = spanProblem(r.span, sources);
      if (rp) out.push(`${where}: related span ${rp}`);
    }
  }
  return out;
}

/** What must hold of the generated files whenever a compilation succeeds. */
function outputProblems(outputs) {
  const out = [];
  for (const [path, text] of outputs) {
    if (!text.endsWith('\n')) out.push(`${path} does not end with a newline`);
    if (/[\0\r]/.test(text)) out.push(`${path} contains a NUL or CR character`);
  }
  return out;
}

/** Everything observable about a compilation, for comparing two runs of the same input. */
function fingerprint(c) {
  return JSON.stringify({ d: c.diagnostics, o: c.outputs ? [...c.outputs] : null });
}

/**
 * Compiles the sources (twice: the result must not depend on what was compiled before, e.g. state
 * left in the shared parser by a failed parse) and returns the problems found: empty when the
 * property holds. `compileSources` is the compiler's entry point, from src/ or dist/.
 */
export function checkInput(compileSources, sources) {
  const problems = [];
  let first;
  for (let run = 0; run < 2; run++) {
    const t0 = performance.now();
    let c;
    try {
      c = compileSources('/fuzz', sources);
    } catch (e) {
      const kind = e instanceof RangeError && /call stack/.test(e.message) ? 'overflowed the stack' : 'threw';
      return [`compileSources ${kind}: ${e?.stack ?? e}`];
    }
    const ms = performance.now() - t0;
    if (ms > TIME_LIMIT_MS) problems.push(`took ${Math.round(ms)} ms (limit ${TIME_LIMIT_MS} ms)`);
    if (run === 0) {
      problems.push(...diagnosticProblems(c.diagnostics, sources));
      if (c.outputs) problems.push(...outputProblems(c.outputs));
      first = fingerprint(c);
    } else if (fingerprint(c) !== first) {
      problems.push('a second compilation of the same input gave a different result');
    }
  }
  return problems;
}

/** Sources as a JSON object, for printing a counterexample that can be replayed. */
export function describeSources(sources) {
  return JSON.stringify(Object.fromEntries(sources), null, 2);
}
