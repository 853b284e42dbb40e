// Showing text from files and file names on a terminal exactly as it is, never as it would render:
// control characters, line breaks, bidirectional controls (U+202E can make a reviewed line display
// in another order than it runs) and invisible characters (U+200B and the other default-ignorable
// code points) are written as \u{…}; bytes of a file name that are not UTF-8 as \x{…}.

/** C0 and C1 controls and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/**
 * Bidirectional controls and characters that render as nothing (zero-width spaces and joiners, …),
 * as the source of a character class for a `u` expression.
 */
export const BIDI_OR_INVISIBLE_CLASS = '[\\p{Bidi_Control}\\p{Default_Ignorable_Code_Point}]';
/**
 * Text of printable ASCII only, which holds none of the characters above. Most names and values
 * are; testing for it first spares them the Unicode-property expressions, which V8 builds from
 * Unicode's tables the first time each is run (a measurable part of a short run).
 */
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

let bidiOrInvisible: RegExp | undefined;
let unshowable: RegExp | undefined;

/** Whether `s` holds a bidirectional control or an invisible character (BIDI_OR_INVISIBLE_CLASS). */
export function hasBidiOrInvisible(s: string): boolean {
  return !PRINTABLE_ASCII.test(s) && (bidiOrInvisible ??= new RegExp(BIDI_OR_INVISIBLE_CLASS, 'u')).test(s);
}

const escape = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;

/** Text with every character that would not display as itself escaped (tabs too, unless kept). */
export function shownText(s: string, opts: { keepTabs?: boolean } = {}): string {
  if (PRINTABLE_ASCII.test(s)) return s;
  unshowable ??= new RegExp(`${CONTROL.source}|${BIDI_OR_INVISIBLE_CLASS}`, 'gu');
  return s.replace(unshowable, (c) => (opts.keepTabs && c === '\t' ? c : escape(c)));
}

/** Made on first use: most runs decode no file name (Node's own decoding is used unless a name holds U+FFFD). */
let utf8: TextDecoder | undefined;

/**
 * A file name read as bytes: its text when it is valid UTF-8, else undefined, and how to show it
 * (invalid bytes as \x{…}, the rest as shownText).
 */
export function decodeFileName(bytes: Buffer): { name?: string; shown: string } {
  try {
    utf8 ??= new TextDecoder('utf-8', { fatal: true });
    const name = utf8.decode(bytes);
    return { name, shown: shownText(name) };
  } catch {
    let shown = '';
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i]!;
      const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
      let text: string | undefined;
      if (len && i + len <= bytes.length) {
        try {
          text = utf8!.decode(bytes.subarray(i, i + len));
        } catch {
          text = undefined;
        }
      }
      if (text === undefined) {
        shown += `\\x{${b.toString(16).padStart(2, '0')}}`;
        i++;
      } else {
        shown += shownText(text);
        i += len;
      }
    }
    return { shown };
  }
}
