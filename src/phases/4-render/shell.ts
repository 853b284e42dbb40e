// POSIX shell quoting for everything that a definition contributes to a command line.
// Values are validated in phase 2; quoting here is the second, independent line of defence:
// whatever a value contains, it reaches the command as exactly one inert word.

import { BIDI_OR_INVISIBLE_CLASS } from '../../util/display.js';
import { isGlob, parseGlob } from '../../util/glob.js';

const SAFE = /^[A-Za-z0-9_\/.,:@%+=-]+$/;

/** Quote one word. Safe words stay bare so generated files read naturally. */
export function quote(s: string): string {
  if (s !== '' && SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A path inside the image root. Wildcards of almac's glob dialect (`*`, `?`, `[...]`, checked in
 * phase 2, see util/glob.ts) stay unquoted so the shell expands them; every other character is
 * quoted, so literal. `root` is a shell fragment such as `/mnt/sys-root` or `"$root"`, already safe.
 */
export function rootPath(root: string, path: string, opts: { glob?: boolean } = {}): string {
  if (!opts.glob || !isGlob(path)) return joinRoot(root, quote(path));
  const g = parseGlob(path);
  if (!g.parts) throw new Error(`internal error: unchecked glob ${JSON.stringify(path)}`);
  return root + g.parts.map((p) => (p.kind === 'literal' ? quote(p.text) : p.kind === 'star' ? '*' : p.kind === 'one' ? '?' : `[${p.negate ? '!' : ''}${p.body}]`)).join('');
}

/** The shell variable a loop over a glob's matches uses (see eachMatch in commands.ts). */
export const MATCH_VAR = 'almac_path';

function joinRoot(root: string, quoted: string): string {
  if (root === '') return quoted;
  // "$root"'/etc/x y' and /mnt/sys-root/etc/x both read as one word to the shell.
  return root + quoted;
}

/**
 * Escape text for use as a printf *format* inside single quotes: the text comes out byte for
 * byte, and the emitted source is a single line (so it can sit in a Dockerfile RUN or a
 * kickstart section without any line of it being mistaken for an instruction or `%end`).
 * "Line" as every reader counts them: control characters, and the C1 and Unicode line breaks that
 * pykickstart's str.splitlines() also splits at, are written as octal escapes of their UTF-8 bytes.
 * A leading `-` is escaped too, so that printf never reads the format as an option (bash's
 * `printf -v NAME` would assign instead of printing).
 */
export function printfFormat(text: string): string {
  const lead = text.startsWith('-') ? octalBytes('-') : '';
  const rest = lead ? text.slice(1) : text;
  // ASCII text (the usual case) cannot hold the C1, Unicode and invisible characters: the
  // expression without them (and without the `u` flag) finds the same characters, faster.
  return `'${lead}${rest.replace(NON_ASCII.test(rest) ? printfSpecial() : PRINTF_SPECIAL_ASCII, printfEscape)}'`;
}

const NON_ASCII = /[^\u0000-\u007f]/;
/** printfSpecial() restricted to ASCII. */
const PRINTF_SPECIAL_ASCII = /[\\%'\n\t\u0000-\u001f\u007f]/g;

let printfSpecialAll: RegExp | undefined;
/**
 * What printfFormat escapes: printf's own `\` and `%`, the quote, and every character some reader
 * counts as a line break or that would not display as itself in a reviewed diff (controls, C1,
 * U+2028/U+2029, bidirectional controls and invisible characters: see util/display.ts). Built on
 * first use, for the first text that is not ASCII (see hasBidiOrInvisible there).
 */
const printfSpecial = () => (printfSpecialAll ??= new RegExp(`[\\\\%'\\n\\t\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]|${BIDI_OR_INVISIBLE_CLASS}`, 'gu'));

const octalBytes = (ch: string) => [...Buffer.from(ch, 'utf8')].map((b) => '\\' + b.toString(8).padStart(3, '0')).join('');

function printfEscape(ch: string): string {
  switch (ch) {
    case '\\': return '\\\\';
    case '%': return '%%';
    case "'": return `'\\''`;
    case '\n': return '\\n';
    case '\t': return '\\t';
    default: return octalBytes(ch);
  }
}

/** Escape literal text for a sed basic regular expression delimited by `|`. */
export function sedPattern(text: string): string {
  return text.replace(/[\\.[\]*^$|]/g, (c) => '\\' + c);
}

/** Escape literal text for a sed replacement delimited by `|`. */
export function sedReplacement(text: string): string {
  return text.replace(/[\\&|]/g, (c) => '\\' + c);
}
