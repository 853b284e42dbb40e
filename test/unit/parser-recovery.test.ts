// parse.ts parses with the plain parser (no error recovery) first, and a file with a syntax error
// again with the recovering one (phases/1-parse/parser.ts, getParser). That is sound only if the
// plain parser finds an error wherever the recovering one does, and builds the same tree where
// there is none: checked here on the real definitions, generated projects and token soup.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Node } from '../../src/model/ast.js';
import { LineIndex } from '../../src/phases/1-parse/line-index.js';
import { getParser } from '../../src/phases/1-parse/parser.js';
import { lex } from '../../src/phases/1-parse/tokens.js';
import { definitionSources } from '../helpers/project.js';
import { projectArb, tokenSoupArb } from '../fuzz/generators.mjs';

/** The tree parse.ts reads (the top-level nodes with their spans) and the error count. */
function parseWith(recovery: boolean, text: string): { nodes: Node[]; errors: number } {
  const r = getParser({ recovery }).parseFile(lex(text).tokens, new LineIndex('f.alma', text));
  return { nodes: r.nodes, errors: r.errors.length };
}

function agree(text: string): void {
  const plain = parseWith(false, text);
  const recovering = parseWith(true, text);
  expect(plain.errors === 0).toBe(recovering.errors === 0);
  if (plain.errors === 0) expect(plain.nodes).toEqual(recovering.nodes);
}

describe('the parser without recovery', () => {
  it('builds the same tree as the recovering parser for the real definitions', () => {
    const sources = definitionSources();
    expect(sources.size).toBeGreaterThan(5);
    for (const text of sources.values()) {
      expect(parseWith(false, text).errors).toBe(0);
      agree(text);
    }
  });

  it('agrees with the recovering parser on generated projects', () => {
    fc.assert(fc.property(projectArb, (files: Map<string, string>) => [...files.values()].forEach(agree)), { numRuns: 300 });
  });

  it('finds an error exactly where the recovering parser does, in token soup', () => {
    let withErrors = 0;
    fc.assert(
      fc.property(tokenSoupArb, (files: Map<string, string>) => {
        for (const text of files.values()) {
          if (parseWith(true, text).errors) withErrors++;
          agree(text);
        }
      }),
      { numRuns: 1500 },
    );
    expect(withErrors).toBeGreaterThan(100); // the soup does reach the error paths
  });
});
