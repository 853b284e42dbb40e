// Short fuzzing run of the compiler, in-process against src/ (the long run is `npm run fuzz`).
// Every input must compile without throwing or overflowing the stack, within the hang guard, with
// every diagnostic's span inside its input, and to the same result when compiled again.
// The seed is fixed so the suite is repeatable; FUZZ_SEED=<n> explores other inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSources } from '../../src/project.js';
import { definitionSources } from '../helpers/project.js';
import { extremeArb, mutationArb, projectArb, tokenSoupArb } from './generators.mjs';
import { checkInput, spanProblem } from './property.mjs';

const seed = Number(process.env['FUZZ_SEED'] ?? 20240611);

function holds(arb: fc.Arbitrary<Map<string, string>>, numRuns: number): void {
  fc.assert(
    fc.property(arb, (sources) => {
      const problems = checkInput(compileSources, sources);
      if (problems.length) throw new Error(problems.join('\n'));
    }),
    { numRuns, seed },
  );
}

describe('the compiler, on inputs it has never seen', () => {
  it('handles generated projects (inheritance, fragments, conditions, every post step)', () => holds(projectArb, 600));
  it('handles random sequences of the language tokens', () => holds(tokenSoupArb, 1500));
  it('handles the real definitions after random edits', () => holds(mutationArb(definitionSources()), 80));
  it('handles extreme depth and size without exhausting the stack', () => holds(extremeArb(400), 40));
});

describe('the property itself', () => {
  // The checks above are only as good as the span check; it must reject spans that are off.
  const sources = new Map([['definitions/a.alma', 'image a {\n  install\n}\n']]);
  const good = { file: 'definitions/a.alma', line: 2, col: 3, endLine: 2, endCol: 10, offset: 12, length: 7 };

  it('accepts a span that matches its text', () => {
    expect(spanProblem(good, sources)).toBeUndefined();
  });

  it.each([
    ['an offset past the end', { ...good, offset: 100 }],
    ['a length past the end', { ...good, length: 100 }],
    ['a line that does not match the offset', { ...good, line: 1 }],
    ['an end column that does not match', { ...good, endCol: 11 }],
    ['a NaN offset', { ...good, offset: Number.NaN }],
    ['a file that is not an input', { ...good, file: 'definitions/b.alma' }],
  ])('rejects %s', (_, span) => {
    expect(spanProblem(span, sources)).toEqual(expect.any(String));
  });
});
