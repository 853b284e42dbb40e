// The formatter on random sources covering the whole syntax (programs.ts): every source that
// parses is formatted (never refused), reads back as the same syntax tree with the same comments,
// gets the same diagnostics from the compiler, and formatting it again changes nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSource } from '../../src/format/format.js';
import { parseSource } from '../../src/phases/1-parse/parse.js';
import { compileSources } from '../../src/project.js';
import { nodeView } from '../helpers/ast.js';
import { program } from './programs.js';

/** What the whole compiler makes of a file: its diagnostics (without positions) and images (without line numbers). */
function compiled(text: string) {
  const c = compileSources('/project', new Map([['definitions/fuzz.alma', text]]), { render: false });
  return { diagnostics: c.diagnostics.map((d) => `${d.code} ${d.message}`), images: JSON.parse(JSON.stringify(c.images, (k, v: unknown) => (k === 'line' ? undefined : v))) as unknown };
}

function view(text: string) {
  const r = parseSource('fuzz.alma', text);
  return { errors: r.diagnostics.map((d) => d.code), nodes: r.file.nodes.map(nodeView), comments: r.file.comments.map((c) => c.text.trimEnd()) };
}

describe('almac fmt on random sources', () => {
  it('formats every source that parses into one that means the same, idempotently', () => {
    let parsed = 0;
    fc.assert(
      fc.property(program, (source) => {
        const before = view(source);
        if (before.errors.length) return;
        parsed++;
        const r = formatSource('fuzz.alma', source);
        expect(r.diagnostics).toEqual([]);
        expect(view(r.text!)).toEqual(before);
        expect(compiled(r.text!)).toEqual(compiled(source));
        expect(formatSource('fuzz.alma', r.text!).text).toBe(r.text);
      }),
      { numRuns: 300 },
    );
    // The generator is meant to produce valid syntax; a property that saw no input proves nothing.
    expect(parsed).toBeGreaterThan(250);
  });
});
