// Rewrites of real definition files that keep their meaning, driven by fast-check's `gen` so
// failures shrink to a small set of choices. Two families:
// - relayouts: whitespace between tokens, indentation, line continuations, line breaks inside lists,
//   CRLF line endings, other spellings of the same string, text blocks indented differently. The
//   canonical layout of a relayout is the canonical layout of the original.
// - annotations: extra blank lines and comments. The layout changes (comments and blank lines are
//   kept), the meaning must not.
import fc from 'fast-check';
import type { IToken } from 'chevrotain';
import { lex } from '../../src/phases/1-parse/tokens.js';
import { unescapeString } from '../../src/phases/1-parse/strings.js';

type Gen = fc.GeneratorValue;

const kind = (t: IToken | undefined) => t?.tokenType.name ?? 'EOF';

function tokens(text: string): IToken[] {
  const lexed = lex(text);
  if (lexed.errors.length) throw new Error('test bug: mutations need text that lexes');
  return [...lexed.tokens, ...(lexed.groups['comments'] ?? [])].sort((a, b) => a.startOffset - b.startOffset);
}

const blanks = (g: Gen, min: number, max: number) => g(fc.array, fc.constantFrom(' ', '\t'), { minLength: min, maxLength: max }).join('');

/** The same string, each character spelled plainly or as an escape. */
function respell(g: Gen, literal: string): string {
  const value = unescapeString(literal).value;
  let out = '"';
  for (const ch of value) {
    const plain = ch === '"' ? '\\"' : ch === '\\' ? '\\\\' : ch === '\n' ? '\\n' : ch === '\t' ? '\\t' : ch === '\r' ? '\\r' : ch;
    const choice = g(fc.integer, { min: 0, max: 3 });
    if (choice === 0) out += `\\u{${ch.codePointAt(0)!.toString(16)}}`;
    else if (choice === 1 && ch === '$') out += '\\$';
    else out += plain;
  }
  return out + '"';
}

/** The same text block with every non-empty line after `"""` indented `extra` columns more. */
function reindent(raw: string, extra: string): string {
  const [first, ...rest] = raw.split('\n');
  return [first, ...rest.map((l) => (l === '' ? l : extra + l))].join('\n');
}

export function relayout(g: Gen, text: string): string {
  const ts = tokens(text);
  let out = '';
  let listDepth = 0;
  let end = 0;
  const crlf = g(fc.boolean);
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const gap = text.slice(end, t.startOffset);
    const prev = kind(ts[i - 1]);
    const here = kind(t);
    if (gap.includes('\\')) out += gap; // an existing line continuation stays as written
    else if (i === 0 || prev === 'Newline') out += blanks(g, 0, 6);
    else if (here === 'Newline') out += blanks(g, 0, 3);
    else if (here === 'Comment') out += blanks(g, gap.length ? 1 : 0, 4);
    else if (listDepth > 0 && g(fc.integer, { min: 0, max: 3 }) === 0) out += '\n' + blanks(g, 0, 6);
    else if (gap.length && g(fc.integer, { min: 0, max: 9 }) === 0) out += ' \\\n' + blanks(g, 0, 6);
    else out += blanks(g, gap.length ? 1 : 0, 3);
    if (here === 'LBracket') listDepth++;
    if (here === 'RBracket') listDepth--;
    if (here === 'Newline') out += crlf ? '\r\n' : '\n';
    else if (here === 'StringLiteral') out += respell(g, t.image);
    else if (here === 'TextBlock') out += reindent(t.image, blanks(g, 0, 4).replace(/\t/g, ' '));
    else out += t.image;
    end = t.startOffset + t.image.length;
  }
  return out + text.slice(end);
}

/** Blank lines and comments added at line ends, on lines of their own, and inside lists. */
export function annotate(g: Gen, text: string): { text: string; added: number } {
  const ts = tokens(text);
  let out = '';
  let end = 0;
  let added = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    out += text.slice(end, t.startOffset);
    if (kind(t) === 'Newline' && kind(ts[i - 1]) !== 'Comment' && g(fc.integer, { min: 0, max: 7 }) === 0) {
      out += `  # trailing ${++added}`;
    }
    out += t.image;
    end = t.startOffset + t.image.length;
    if (kind(t) === 'Newline') {
      const choice = g(fc.integer, { min: 0, max: 9 });
      if (choice === 0) out += '\n';
      else if (choice === 1) out += `# own line ${++added}\n`;
    }
  }
  return { text: out + text.slice(end), added };
}
