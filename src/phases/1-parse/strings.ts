// String literal unescaping and text-block dedenting.
import { minOf } from '../../util/arrays.js';

export interface UnescapeResult {
  value: string;
  /** Offset (within the literal, quotes included) and text of the first bad escape, if any. */
  badEscape?: { offset: number; text: string };
}

/** Unescape the body of a "…" literal: \n \t \r \\ \" \0 and \u{HEX}. */
export function unescapeString(literal: string): UnescapeResult {
  const body = literal.slice(1, -1);
  // Runs of plain text are copied as slices: a character at a time, a 10 MB literal made
  // millions of intermediate strings (and the collector most of the run time).
  let out = '';
  for (let start = 0; ; ) {
    const i = body.indexOf('\\', start);
    if (i < 0) return { value: start === 0 ? body : out + body.slice(start) };
    out += body.slice(start, i);
    const next = body[i + 1];
    start = i + 2;
    switch (next) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case '$': out += '$'; break;
      case '0': out += '\0'; break;
      case 'u': {
        const m = /^u\{([0-9a-fA-F]{1,6})\}/.exec(body.slice(i + 1, i + 10));
        const cp = m ? parseInt(m[1]!, 16) : NaN;
        if (!m || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
          return { value: out, badEscape: { offset: i + 1, text: body.slice(i, i + 2) } };
        }
        out += String.fromCodePoint(cp);
        start = i + 1 + m[0].length;
        break;
      }
      default:
        return { value: out, badEscape: { offset: i + 1, text: body.slice(i, i + 2) } };
    }
  }
}

/**
 * A text block is `"""` NEWLINE lines `"""`. The common leading indentation of its non-blank lines
 * (and of the closing delimiter line) is removed, so blocks can be indented with the code around
 * them. The text ends with a newline when the closing `"""` stands on its own line. Escapes are
 * not processed: what you see is what is written to the file.
 */
export function dedentTextBlock(literal: string): { value: string; problem?: string } {
  const inner = literal.slice(3, -3);
  const firstNl = inner.indexOf('\n');
  if (firstNl === -1 || inner.slice(0, firstNl).trim() !== '') {
    return { value: inner, problem: 'a text block must start with a line break right after the opening """' };
  }
  const lines = inner.slice(firstNl + 1).replace(/\r\n/g, '\n').split('\n');
  const last = lines[lines.length - 1]!;
  const closingOnOwnLine = last.trim() === '';
  const indents = lines
    .filter((l, i) => l.trim() !== '' || (i === lines.length - 1 && closingOnOwnLine))
    .map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = minOf(indents, 0);
  const body = closingOnOwnLine ? lines.slice(0, -1) : lines;
  const value = body.map((l) => l.slice(Math.min(cut, /^[ \t]*/.exec(l)![0].length))).join('\n');
  return { value: closingOnOwnLine ? value + '\n' : value };
}
