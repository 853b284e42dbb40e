import fc from 'fast-check';
import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { formatSource } from '../../src/format/format.js';
import { parseSource } from '../../src/phases/1-parse/parse.js';
import { program } from './programs.js';
it('repro', () => {
  let parsed = 0, bad = 0, total = 0;
  fc.assert(fc.property(program, (p) => {
    total++;
    if (parseSource('x', p).diagnostics.length) return;
    parsed++;
    const r = formatSource('x', p);
    if (r.text === undefined) { bad++; writeFileSync(`/tmp/fmtt/prog${bad}.alma`, p); console.log(r.diagnostics[0]!.message); return; }
    if (formatSource('x', r.text).text !== r.text) { bad++; writeFileSync(`/tmp/fmtt/prog${bad}.alma`, p); console.log('not idempotent'); }
  }), { numRuns: 3000 });
  console.log({ total, parsed, bad });
});
