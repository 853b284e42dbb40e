// parse.ts parses with the plain parser (no error recovery) first, and a file with a syntax error
// again with the recovering one (phases/1-parse/parser.ts, getParser). That is sound only if the
// plain parser finds an error wherever the recovering one does, and builds the same tree where
// there is none: checked here on the real definitions, generated projects and token soup.
import fc from 'fast-check';
import type { CstNode, IToken } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { getParser } from '../../src/phases/1-parse/parser.js';
import { lex } from '../../src/phases/1-parse/tokens.js';
import { definitionSources } from '../helpers/project.js';
import { projectArb, tokenSoupArb } from '../fuzz/generators.mjs';

function parseWith(recovery: boolean, text: string): { cst: CstNode; errors: number } {
  const parser = getParser({ recovery });
  parser.input = lex(text).tokens;
  const cst = parser.file();
  return { cst, errors: parser.errors.length };
}

/** The tree as plain data (token images and offsets, rule names, recovery marks). */
function shape(n: CstNode | IToken): unknown {
  if ('image' in n) return [n.tokenType.name, n.image, n.startOffset];
  return { name: n.name, recovered: n.recoveredNode ?? false, loc: n.location, children: Object.fromEntries(Object.entries(n.children).map(([k, v]) => [k, v.map(shape)])) };
}

/**
 * What parse.ts reads of a tree: the nodes under the root. (The root's own location is left unset
 * by the plain parser; nothing reads it.)
 */
const nodesOf = (cst: CstNode) => (cst.children['node'] ?? []).map(shape);

function agree(text: string): void {
  const plain = parseWith(false, text);
  const recovering = parseWith(true, text);
  expect(plain.errors === 0).toBe(recovering.errors === 0);
  if (plain.errors === 0) expect(nodesOf(plain.cst)).toEqual(nodesOf(recovering.cst));
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
