// The .alma token set. The language is line-oriented: a statement is a name followed by
// arguments up to the end of the line, optionally followed by a `{ … }` block. Newlines are
// therefore tokens; inside `[ … ]` lists they are ignored by the parser.
import type { CustomPatternMatcherFunc, ILexingResult, TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.js';

/**
 * Characters that end a bare word. Parentheses are allowed *inside* a word when balanced, so that
 * RPM provides such as `dnf-command(config-manager)` need no quotes, while `(release >= 9)` still
 * lexes its parentheses as grouping tokens.
 */
const WORD_STOP = new Set([' ', '\t', '\r', '\n', '"', '#', '{', '}', '[', ']', ',', '=', '<', '>', '!', '(', ')']);

/**
 * How far past its first "(" a word is searched for the matching ")". Provides are short; without
 * a bound, a long line of unbalanced "(" is rescanned from every word on it (quadratic lexing).
 */
const MAX_PAREN_SPAN = 256;

/** WORD_STOP by UTF-16 code unit, for the hot loop of matchWord (code units above 127 never stop a word). */
const STOPS_WORD = new Uint8Array(128);
for (const ch of WORD_STOP) STOPS_WORD[ch.charCodeAt(0)] = 1;
const OPEN = 0x28;
const CLOSE = 0x29;
const BANG = 0x21;
const EQUALS = 0x3d;

const matchWord: CustomPatternMatcherFunc = (text, offset) => {
  let i = offset;
  let depth = 0;
  let firstOpen = -1;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (depth > 0 && i - firstOpen > MAX_PAREN_SPAN) break; // treated as unbalanced below
    if (c === OPEN) {
      if (i === offset) break; // a word never starts with "("
      if (firstOpen < 0) firstOpen = i;
      depth++;
    } else if (c === CLOSE) {
      if (depth === 0) break;
      depth--;
    } else if (c === BANG && i > offset) {
      // "!" may appear inside a word (e.g. a glob), but "!=" always ends it.
      if (text.charCodeAt(i + 1) === EQUALS) break;
    } else if (c < 128 && STOPS_WORD[c] === 1) {
      break;
    }
    i++;
  }
  if (depth !== 0 || i === offset) {
    // Unbalanced "(": take the word up to the first "(" so the error points at it.
    const open = text.indexOf('(', offset);
    if (depth !== 0 && open > offset) i = open;
    if (i === offset) return null;
  }
  return [text.slice(offset, i)] as unknown as RegExpExecArray;
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const token = (s: string) => [s] as unknown as RegExpExecArray;

/**
 * `"…"` on one line, with backslash escapes of any character but a newline (terminated: up to its
 * closing quote; unterminated: as far as a string could go, for the error token).
 */
function matchString(terminated: boolean): CustomPatternMatcherFunc {
  const stop = /["\\\n]/g; // what ends a run of plain characters
  return (text, offset) => {
    if (text.charCodeAt(offset) !== QUOTE) return null;
    for (let i = offset + 1; ; ) {
      stop.lastIndex = i;
      const j = stop.exec(text) ? stop.lastIndex - 1 : text.length;
      const c = j < text.length ? text.charCodeAt(j) : NEWLINE;
      if (c === QUOTE) return terminated ? token(text.slice(offset, j + 1)) : null;
      if (c === NEWLINE || j + 1 >= text.length || text.charCodeAt(j + 1) === NEWLINE) return terminated ? null : token(text.slice(offset, j));
      i = j + 2; // a backslash and the character it escapes
    }
  };
}

/** `"""…"""` across lines (unterminated: to the end of the file). */
function matchTextBlock(terminated: boolean): CustomPatternMatcherFunc {
  return (text, offset) => {
    if (!text.startsWith('"""', offset)) return null;
    const end = text.indexOf('"""', offset + 3);
    if (terminated) return end < 0 ? null : token(text.slice(offset, end + 3));
    return token(text.slice(offset));
  };
}

// The tokens matched by regular expressions carry start hints too: without them, Chevrotain parses
// each expression (regexp-to-ast) to find its first characters every time a lexer is built.
export const Whitespace = createToken({ name: 'Whitespace', pattern: /[ \t]+/, group: Lexer.SKIPPED, start_chars_hint: [' ', '\t'] });
/** A backslash at the end of a line joins it with the next one. */
export const LineContinuation = createToken({ name: 'LineContinuation', pattern: /\\\r?\n/, group: Lexer.SKIPPED, line_breaks: true, start_chars_hint: ['\\'] });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: 'comments', start_chars_hint: ['#'] });
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n/, line_breaks: true, start_chars_hint: ['\r', '\n'] });
// Strings and text blocks are matched by loops, not regular expressions: V8 backtracks through
// `(?:a|b)*` and `[^]*?` on a stack of its own, which a 10 MB literal overflowed.
export const TextBlock = createToken({ name: 'TextBlock', pattern: { exec: matchTextBlock(true) }, line_breaks: true, start_chars_hint: ['"'] });
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: { exec: matchString(true) }, line_breaks: false, start_chars_hint: ['"'] });
/** Error tokens: recognised so that one missing quote gives one clear error, not a cascade. */
export const UnterminatedTextBlock = createToken({ name: 'UnterminatedTextBlock', pattern: { exec: matchTextBlock(false) }, line_breaks: true, start_chars_hint: ['"'], categories: [TextBlock] });
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: { exec: matchString(false) }, line_breaks: false, start_chars_hint: ['"'], categories: [StringLiteral] });
export const LBrace = createToken({ name: 'LBrace', pattern: '{', label: '"{"' });
export const RBrace = createToken({ name: 'RBrace', pattern: '}', label: '"}"' });
export const LBracket = createToken({ name: 'LBracket', pattern: '[', label: '"["' });
export const RBracket = createToken({ name: 'RBracket', pattern: ']', label: '"]"' });
export const LParen = createToken({ name: 'LParen', pattern: '(', label: '"("' });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: '")"' });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: '","' });
export const Arrow = createToken({ name: 'Arrow', pattern: '->', label: '"->"' });
export const GreaterEq = createToken({ name: 'GreaterEq', pattern: '>=', label: '">="' });
export const LessEq = createToken({ name: 'LessEq', pattern: '<=', label: '"<="' });
export const NotEq = createToken({ name: 'NotEq', pattern: '!=', label: '"!="' });
export const Greater = createToken({ name: 'Greater', pattern: '>', label: '">"' });
export const Less = createToken({ name: 'Less', pattern: '<', label: '"<"' });
export const Equals = createToken({ name: 'Equals', pattern: '=', label: '"="' });
/**
 * Every UTF-16 code unit a word can start with (any but WORD_STOP), in the form Chevrotain's
 * first-character optimization reads it: code units 0-255 one by one, the others by block of 255
 * (Chevrotain indexes them by `255 + floor(code / 255)`; one code unit per block stands for it).
 * With a hint on every token, the lexer tries at each position only the tokens that can start
 * with its character, instead of all of them in turn; which token matches is unchanged
 * (test/unit/lexer-optimization.test.ts compares it with the unoptimized lexer).
 */
const WORD_START_HINT: number[] = [];
for (let c = 0; c < 256; c++) if (!WORD_STOP.has(String.fromCharCode(c))) WORD_START_HINT.push(c);
// 256, then every multiple of 255 up to 0xffff (a step of 255, not a test of each of 65,280 code units).
WORD_START_HINT.push(256);
for (let c = 510; c < 0x10000; c += 255) WORD_START_HINT.push(c);

export const Word = createToken({
  name: 'Word',
  pattern: { exec: matchWord },
  line_breaks: false,
  start_chars_hint: WORD_START_HINT,
  label: 'a word',
});
// Keywords of the condition syntax. Everything else (statement names, values) is a plain word, and
// the analyzer checks it against the schema, which gives better messages than a grammar could.
export const When = createToken({ name: 'When', pattern: /when(?![^\s"#{}\[\],=<>!()])/, longer_alt: Word, label: '"when"', start_chars_hint: ['w'] });
export const Else = createToken({ name: 'Else', pattern: /else(?![^\s"#{}\[\],=<>!()])/, longer_alt: Word, label: '"else"', start_chars_hint: ['e'] });
export const And = createToken({ name: 'And', pattern: /and(?![^\s"#{}\[\],=<>!()])/, longer_alt: Word, label: '"and"', start_chars_hint: ['a'] });
export const Or = createToken({ name: 'Or', pattern: /or(?![^\s"#{}\[\],=<>!()])/, longer_alt: Word, label: '"or"', start_chars_hint: ['o'] });
export const Not = createToken({ name: 'Not', pattern: /not(?![^\s"#{}\[\],=<>!()])/, longer_alt: Word, label: '"not"', start_chars_hint: ['n'] });
export const In = createToken({ name: 'In', pattern: /in(?![^\s"#{}\[\],=<>!()])/, longer_alt: Word, label: '"in"', start_chars_hint: ['i'] });

export const allTokens: TokenType[] = [
  Whitespace,
  LineContinuation,
  Comment,
  Newline,
  TextBlock,
  UnterminatedTextBlock,
  StringLiteral,
  UnterminatedString,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  Arrow,
  GreaterEq,
  LessEq,
  NotEq,
  Greater,
  Less,
  Equals,
  When,
  Else,
  And,
  Or,
  Not,
  In,
  Word,
];

export const KEYWORDS = ['when', 'else', 'and', 'or', 'not', 'in'];

/**
 * Makes `lexer` (built with LEXER_OPTIONS) give each token its end offset as it makes the token,
 * instead of lex() adding it after: a property added to 700,000 tokens (10,000 images) grows
 * every one of them again. Chevrotain makes its tokens through this one method.
 */
export function withEndOffsets(lexer: Lexer): Lexer {
  const l = lexer as unknown as { createTokenInstance?: unknown };
  if (typeof l.createTokenInstance === 'function') {
    l.createTokenInstance = (image: string, startOffset: number, tokenTypeIdx: number, tokenType: TokenType) => ({ image, startOffset, endOffset: startOffset + image.length - 1, tokenTypeIdx, tokenType });
    madeWithEndOffsets.add(lexer);
  }
  return lexer;
}
/** The lexers whose tokens are made with their end offsets (withEndOffsets could replace the method). */
const madeWithEndOffsets = new WeakSet<Lexer>();

let lexerInstance: Lexer | undefined;
export function getLexer(): Lexer {
  lexerInstance ??= withEndOffsets(new Lexer(allTokens, LEXER_OPTIONS));
  return lexerInstance;
}

/**
 * The lexer tracks start offsets only: spans are computed from offsets (LineIndex in parse.ts), and
 * Chevrotain's line and column tracking cost a quarter of all lexing. Each token also gets its end
 * offset (withEndOffsets), which the parser's node locations are made of.
 */
export const LEXER_OPTIONS = { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: true } as const;

/** Tokens of a text, each with its start and end offset (see LEXER_OPTIONS). */
export function lex(text: string): ILexingResult {
  const lexer = getLexer();
  const r = lexer.tokenize(text);
  // Made with their end offsets (withEndOffsets) unless a Chevrotain without createTokenInstance made them.
  if (!madeWithEndOffsets.has(lexer)) {
    for (const t of r.tokens) t.endOffset = t.startOffset + t.image.length - 1;
    for (const group of Object.values(r.groups)) for (const t of group) t.endOffset = t.startOffset + t.image.length - 1;
  }
  return r;
}
