// Canonical spellings of string literals and text blocks. Both are the inverse of what phase 1
// does (unescapeString, dedentTextBlock), so a value re-printed here reads back as the same value.
import { minOf } from '../util/arrays.js';

/**
 * The one way almac writes a string: double quotes; `\\`, `\"`, `\n`, `\t`, `\r` escaped; any other
 * control character as `\u{…}`; everything else (including `$` and non-ASCII text) as itself.
 */
export function quoteString(value: string): string {
  let out = '"';
  for (const ch of value) {
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case '"': out += '\\"'; break;
      case '\n': out += '\\n'; break;
      case '\t': out += '\\t'; break;
      case '\r': out += '\\r'; break;
      default: {
        const cp = ch.codePointAt(0)!;
        out += cp < 0x20 || cp === 0x7f ? `\\u{${cp.toString(16)}}` : ch;
      }
    }
  }
  return out + '"';
}

const leadingBlank = (line: string) => /^[ \t]*/.exec(line)![0].length;

/**
 * A text block re-indented so its lines start at `indent`, its text unchanged. The input is the
 * raw token (`"""` … `"""`) as written; phase 1 has already checked that it starts with a line
 * break. Lines are cut exactly where dedentTextBlock cuts them, so what it computes from the result
 * is what it computed from the original: the common indentation of the non-blank lines (and of the
 * closing line) becomes `indent`, and blank lines keep any whitespace beyond it.
 *
 * Returns the lines of the block: the first is `"""`, the last ends with the closing `"""`.
 */
export function reindentTextBlock(raw: string, indent: string): string[] {
  const inner = raw.slice(3, -3);
  const lines = inner.slice(inner.indexOf('\n') + 1).replace(/\r\n/g, '\n').split('\n');
  const last = lines[lines.length - 1]!;
  const closingOnOwnLine = last.trim() === '';
  const indents = lines.filter((l, i) => l.trim() !== '' || (i === lines.length - 1 && closingOnOwnLine)).map(leadingBlank);
  const cut = minOf(indents, 0);
  const body = (closingOnOwnLine ? lines.slice(0, -1) : lines).map((l) => {
    const text = l.slice(Math.min(cut, leadingBlank(l)));
    // An empty line stays empty (no trailing blanks); a blank line with whitespace beyond the cut
    // keeps it, because that whitespace is part of the text.
    return text === '' ? '' : indent + text;
  });
  if (closingOnOwnLine) return ['"""', ...body, indent + '"""'];
  body[body.length - 1] += '"""';
  return ['"""', ...body];
}
