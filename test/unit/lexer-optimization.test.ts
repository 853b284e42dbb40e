// The lexer runs with Chevrotain's first-character optimization (tokens.ts: every token has a start
// hint). It must find exactly the tokens and errors the unoptimized lexer finds, which tries every
// token at every position: here both lex the real definitions and random text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ILexingResult } from 'chevrotain';
import { Lexer } from '../../src/phases/1-parse/chevrotain.js';
import { LEXER_OPTIONS, allTokens, getLexer, lex, withEndOffsets } from '../../src/phases/1-parse/tokens.js';
import { definitionSources } from '../helpers/project.js';

const unoptimized = withEndOffsets(new Lexer(allTokens, { ...LEXER_OPTIONS, safeMode: true }));

function view(r: ILexingResult) {
  const token = (t: ILexingResult['tokens'][number]) => [t.tokenType.name, t.image, t.startOffset, t.endOffset, t.startLine, t.startColumn, t.endLine, t.endColumn];
  return {
    tokens: r.tokens.map(token),
    comments: (r.groups['comments'] ?? []).map(token),
    errors: r.errors.map((e) => [e.offset, e.length, e.line, e.column, e.message]),
  };
}

function same(text: string): void {
  expect(view(getLexer().tokenize(text))).toEqual(view(unoptimized.tokenize(text)));
}

describe('the optimized lexer', () => {
  it('is optimized', () => {
    expect((getLexer() as unknown as { canModeBeOptimized: Record<string, boolean> }).canModeBeOptimized).toEqual({ defaultMode: true });
  });

  it('lexes the real definitions exactly as the unoptimized lexer', () => {
    const sources = definitionSources();
    expect(sources.size).toBeGreaterThan(5);
    for (const text of sources.values()) same(text);
  });

  it('gives every token its end offset as it makes it', () => {
    for (const text of definitionSources().values()) {
      const r = lex(text);
      for (const t of [...r.tokens, ...(r.groups['comments'] ?? [])]) expect(t.endOffset).toBe(t.startOffset + t.image.length - 1);
    }
  });

  // Every character class the tokens care about, and characters above 255 in several of
  // Chevrotain's blocks (including surrogates of astral characters and block edges).
  const pieces = [
    ' ', '\t', '\r', '\n', '\r\n', '\\\n', '#', '# c\n', '"', '"""', '"""\n  x\n  """', '"a\\"b"', '\\', '{', '}', '[', ']', '(', ')', ',', '->', '-', '>=', '<=', '!=',
    '>', '<', '=', '!', 'when', 'else', 'and', 'or', 'not', 'in', 'whenx', 'in(x)', 'dnf-command(config-manager)', 'a', 'Z', '9', '_', '.', '/', '*', '?', '$', "'", '`',
    '\u0000', '\u0007', '\u007f', '\u0080', '\u00a0', '\u00e9', '\u00ff', '\u0100', '\u01fe', '\u01ff', '\u0200', '\u2028', '\u202e', '\u200b', '\u3000', '\ud83d\ude00',
    '\ud800', '\udfff', '\ufeff', '\uffff', 'caf\u00e9', '\u65e5\u672c',
  ];
  it('lexes random text exactly as the unoptimized lexer', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => same(parts.join(''))),
      { numRuns: 3000 },
    );
  });

  it('lexes arbitrary Unicode strings exactly as the unoptimized lexer', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => same(text)), { numRuns: 1000 });
  });
});
