// grammar/README.md is the language reference: its examples must be valid, and it must describe
// every statement and operation the compiler knows.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/phases/1-parse/parse.js';
import { BODY_STATEMENTS } from '../../src/phases/2-analyze/body.js';
import { OPERATION_NAMES } from '../../src/phases/2-analyze/operations.js';
import { compileSources } from '../../src/project.js';
import { definitionSources } from '../helpers/project.js';

const readme = readFileSync(new URL('../../grammar/README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```alma\n([^]*?)```/g)].map((m) => m[1]!);
const axes = definitionSources().get('definitions/platforms-and-releases.alma')!;

describe('the examples in grammar/README.md', () => {
  it('are there', () => {
    expect(examples.length).toBeGreaterThan(15);
  });

  examples.forEach((text, i) => {
    const first = text.split('\n').find((l) => l.trim() && !l.trim().startsWith('#'))!.trim();
    it(`example ${i + 1} (${first}) parses without diagnostics`, () => {
      expect(parseSource('example.alma', text).diagnostics).toEqual([]);
    });

    // Examples that are pieces of an image body must also pass the schema checks.
    const head = first.split(/[\s{[]/)[0]!;
    if (BODY_STATEMENTS.includes(head) && head !== 'use' && head !== 'releases') {
      it(`example ${i + 1} (${first}) is a valid image body`, () => {
        const image = `image doc-example {\n  releases [9]\n  install dnf\n${text}\n}\n`;
        const c = compileSources('/doc', new Map([['definitions/axes.alma', axes], ['definitions/example.alma', image]]));
        expect(c.diagnostics.map((d) => `${d.code} ${d.span.line}: ${d.message}`)).toEqual([]);
      });
    }
  });
});

describe('grammar/README.md covers the language', () => {
  it('documents every post-install operation', () => {
    for (const op of OPERATION_NAMES) expect(readme, op).toMatch(new RegExp(`^\\| \`${op}\\b`, 'm'));
  });

  it('documents every statement of an image body', () => {
    for (const st of BODY_STATEMENTS) expect(readme, st).toContain(`\`${st}`);
  });
});
