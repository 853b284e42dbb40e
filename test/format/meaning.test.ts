// `almac fmt` never changes what the definitions mean: the images the real compiler resolves from
// the formatted files are the images it resolves from the originals, for the real definitions and
// for fuzzed rewrites of them. Formatting is also idempotent and canonical.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSource } from '../../src/format/format.js';
import type { ImageSpec } from '../../src/model/spec.js';
import { compileSources } from '../../src/project.js';
import { definitionSources } from '../helpers/project.js';
import { annotate, relayout } from './mutations.js';

const real = definitionSources();

function formatAll(sources: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, text] of sources) {
    const r = formatSource(path, text);
    if (r.text === undefined) throw new Error(`${path} was refused: ${r.diagnostics.map((d) => `${d.code} ${d.message} at ${d.span.line}:${d.span.col}`).join('; ')}`);
    out.set(path, r.text);
  }
  return out;
}

/** The resolved images without line numbers, which formatting may move; everything else must stay. */
function meaning(sources: Map<string, string>): { images: unknown; diagnostics: string[] } {
  const c = compileSources('/project', sources, { render: false });
  const images = JSON.parse(JSON.stringify(c.images, (key, v: unknown) => (key === 'line' ? undefined : v))) as ImageSpec[];
  return { images, diagnostics: c.diagnostics.map((d) => `${d.severity} ${d.code} ${d.span.file}: ${d.message}`) };
}

describe('almac fmt on the real definitions', () => {
  it('finds them already formatted (the committed definitions are fmt-clean)', () => {
    const formatted = formatAll(real);
    const unformatted = [...real].filter(([p, t]) => formatted.get(p) !== t).map(([p]) => p);
    expect(unformatted).toEqual([]);
  });

  it('resolves the same images from the formatted files as from any relayout of them', () => {
    const before = meaning(real);
    expect((before.images as ImageSpec[]).length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const mutated = new Map([...real].map(([p, t]) => [p, relayout(g, t)]));
        const formatted = formatAll(mutated);
        // Canonical: whatever the layout, fmt produces the committed text.
        for (const [p, t] of formatted) expect(t, p).toBe(real.get(p));
        expect(meaning(mutated)).toEqual(before);
      }),
      // Each run compiles the whole project; shrinking thousands of layout choices would take
      // minutes, so a failure is reported as found (fast-check prints the seed and path to replay).
      { numRuns: 25, endOnFailure: true },
    );
  });

  it('keeps meaning and comments when definitions carry extra comments and blank lines, and is idempotent', () => {
    const before = meaning(real);
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const annotated = new Map<string, string>();
        let added = 0;
        for (const [p, t] of real) {
          const a = annotate(g, relayout(g, t));
          annotated.set(p, a.text);
          added += a.added;
        }
        const once = formatAll(annotated);
        expect(formatAll(once)).toEqual(once);
        expect(meaning(once)).toEqual(before);
        const comments = (m: Map<string, string>) => [...m.values()].join('\n').match(/# (trailing|own line) \d+/g)?.length ?? 0;
        expect(comments(once)).toBe(added);
      }),
      { numRuns: 25, endOnFailure: true },
    );
  });
});
