// Phase 1: source text → tokens → syntax tree (model/ast.ts, built by the parser's rules), with
// every lexical and syntax error as a diagnostic. Never throws on any input.
import { unclosedBrace } from './braces.js';
import type { IToken, IRecognitionException } from 'chevrotain';
import { error, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import type { Comment, Node, SourceFile } from '../../model/ast.js';
import { allTokens, lex } from './tokens.js';
import { TooManySyntaxErrors, getParser, MAX_NESTING, MAX_SYNTAX_ERRORS, nestingError } from './parser.js';
import { LineIndex } from './line-index.js';
import { dedentTextBlock, unescapeString } from './strings.js';
import { pushAll } from '../../util/arrays.js';

export { LineIndex } from './line-index.js';
export { MAX_NESTING } from './parser.js';

export interface ParseResult {
  file: SourceFile;
  diagnostics: Diagnostic[];
}

export function parseSource(path: string, text: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lines = new LineIndex(path, text);

  if (text.includes('\0')) {
    const at = text.indexOf('\0');
    diagnostics.push(error('E001', lines.spanAt(at, 1), 'this file contains a NUL byte', {
      expected: 'UTF-8 text',
      hint: 'definitions are text files; remove the NUL byte (is this a binary file?)',
    }));
    return { file: { path, text, nodes: [], comments: [] }, diagnostics };
  }

  const lexed = lex(text);
  for (const e of lexed.errors) {
    const ch = text.slice(e.offset, e.offset + Math.max(1, e.length));
    diagnostics.push(error('E002', lines.spanAt(e.offset, e.length || 1), `unexpected character${e.length > 1 ? 's' : ''} \`${printable(ch)}\``, {
      expected: 'a word, a "string", a list `[…]`, a block `{…}` or a comment `#…`',
      hint: ch.startsWith("'") ? "strings use double quotes: \"…\"" : 'quote values that contain special characters: "…"',
    }));
  }

  pushAll(diagnostics, tokenDiagnostics(lexed.tokens, lines));
  // An unclosed text block swallows the rest of the file; the syntax errors after it only repeat that.
  const swallowedFrom = lexed.tokens.find((t) => t.tokenType.name === 'UnterminatedTextBlock')?.startOffset ?? Infinity;

  const tooDeep = firstTooDeep(lexed.tokens);
  if (tooDeep) {
    diagnostics.push(nestingError(lines.tokenSpan(tooDeep)));
    return { file: { path, text, nodes: [], comments: [] }, diagnostics };
  }

  // Without recovery first (getParser says why); a file with a syntax error is parsed again with
  // recovery, which reports every error of the file and builds the tree around them.
  let parser = getParser({ recovery: false });
  let parsed: { nodes: Node[]; nesting: Diagnostic[] };
  try {
    parsed = parser.parseFile(lexed.tokens, lines);
    if (parser.errors.length) {
      parser = getParser({ recovery: true });
      parsed = parser.parseFile(lexed.tokens, lines);
    }
  } catch (e) {
    if (!(e instanceof TooManySyntaxErrors)) throw e;
    pushAll(diagnostics, syntaxDiagnostics(parser.errors, lines, text, swallowedFrom));
    const last = parser.errors[parser.errors.length - 1]!.token;
    const at = Number.isNaN(last.startOffset) ? lines.spanAt(text.length, 0) : lines.tokenSpan(last);
    diagnostics.push(error('E012', at, `more than ${MAX_SYNTAX_ERRORS} syntax errors; the rest of this file was not checked`, {
      expected: 'a definition file',
      hint: 'fix the first errors and run almac again (is this really a definition file?)',
    }));
    return { file: { path, text, nodes: [], comments: [] }, diagnostics };
  }
  pushAll(diagnostics, withUnclosedBrace(syntaxDiagnostics(parser.errors, lines, text, swallowedFrom), lexed.tokens, lines, text));

  pushAll(diagnostics, parsed.nesting);
  const comments: Comment[] = (lexed.groups['comments'] ?? []).map((t) => ({ text: t.image, span: lines.tokenSpan(t) }));
  return { file: { path, text, nodes: parsed.nodes, comments }, diagnostics };
}

function syntaxDiagnostics(errors: IRecognitionException[], lines: LineIndex, text: string, swallowedFrom: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<number>();
  for (const e of errors) {
    const d = syntaxDiagnostic(e, lines, text);
    // Recovery can report several errors at one token; the first is the useful one.
    if (seen.has(d.span.offset) || d.span.offset >= swallowedFrom) continue;
    seen.add(d.span.offset);
    out.push(d);
  }
  return out;
}

/** "expected `}`, found the end of the file" becomes E013 at the `{` that is never closed. */
function withUnclosedBrace(ds: Diagnostic[], tokens: IToken[], lines: LineIndex, text: string): Diagnostic[] {
  const i = ds.findIndex((d) => d.code === 'E010' && d.expected === TOKEN_WORDS['RBrace'] && d.span.offset >= text.trimEnd().length);
  if (i < 0) return ds;
  const d = unclosedBrace(tokens, text, (t) => lines.tokenSpan(t));
  return d ? [...ds.slice(0, i), d, ...ds.slice(i + 1)] : ds;
}

/**
 * The parser recurses once per level of nesting, so nesting is measured on the tokens before
 * parsing: past PARSER_NESTING_LIMIT the file is rejected unparsed. The count (blocks, `else when`
 * chains, and parentheses and `not`s inside a condition) never exceeds the depth the parser's rules
 * measure as they build the tree, so anything rejected here would be rejected there too (at
 * MAX_NESTING, with the rest of the file still checked); this guard only keeps absurd inputs from
 * exhausting the stack.
 */
const PARSER_NESTING_LIMIT = 4 * MAX_NESTING;

function firstTooDeep(tokens: IToken[]): IToken | undefined {
  let braces = 0;
  /** Per block depth: how many `else when` links the current chain at that depth has. */
  const chains: number[] = [0];
  let chainSum = 0;
  /** Inside a condition: pending `not`s per parenthesis level. */
  let inCondition = false;
  let nots: number[] = [0];
  let notSum = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    switch (t.tokenType.name) {
      case 'When':
        inCondition = true;
        nots = [0];
        notSum = 0;
        if (tokens[i - 1]?.tokenType.name === 'Else') {
          chains[braces] = (chains[braces] ?? 0) + 1;
          chainSum++;
        }
        break;
      case 'LBrace':
        inCondition = false;
        braces++;
        chainSum -= chains[braces] ?? 0;
        chains[braces] = 0;
        break;
      case 'RBrace':
        if (braces > 0) {
          chainSum -= chains[braces] ?? 0;
          chains[braces] = 0;
          braces--;
        }
        break;
      case 'Newline':
        inCondition = false;
        chainSum -= chains[braces] ?? 0;
        chains[braces] = 0;
        break;
      case 'Not':
        if (inCondition) {
          nots[nots.length - 1]!++;
          notSum++;
        }
        break;
      case 'LParen':
        if (inCondition) nots.push(0);
        break;
      case 'RParen':
      case 'And':
      case 'Or':
        if (!inCondition) break;
        if (t.tokenType.name === 'RParen' && nots.length > 1) notSum -= nots.pop()!;
        notSum -= nots[nots.length - 1]!;
        nots[nots.length - 1] = 0;
        break;
    }
    const depth = braces + chainSum + (inCondition ? nots.length - 1 + notSum : 0);
    if (depth > PARSER_NESTING_LIMIT) return t;
  }
  return undefined;
}

/**
 * Problems inside string and text-block tokens. Reported from the token stream, not while building
 * the tree, so that they are not lost when error recovery drops the statement that holds them.
 */
function tokenDiagnostics(tokens: IToken[], lines: LineIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const t of tokens) {
    switch (t.tokenType.name) {
      case 'StringLiteral': {
        const bad = unescapeString(t.image).badEscape;
        if (bad) {
          out.push(error('E004', lines.spanAt(t.startOffset + bad.offset, bad.text.length), `unknown escape \`${printable(bad.text)}\` in a string`, {
            expected: 'one of \\n \\t \\r \\\\ \\" \\$ \\0 \\u{HEX}',
            hint: 'write a backslash as `\\\\`',
          }));
        }
        break;
      }
      case 'UnterminatedString':
        out.push(error('E003', lines.tokenSpan(t), 'this string is not closed before the end of the line', {
          expected: 'a closing `"`',
          hint: 'add `"` at the end, or use a text block `"""` for text that spans lines',
        }));
        break;
      case 'TextBlock': {
        const problem = dedentTextBlock(t.image).problem;
        if (problem) out.push(error('E005', lines.tokenSpan(t), problem, { expected: '"""' + ' followed by a line break', hint: 'start the text on the line after the opening """' }));
        break;
      }
      case 'UnterminatedTextBlock':
        out.push(error('E003', lines.spanAt(t.startOffset, 3), 'this text block is never closed', {
          expected: 'a closing `"""`',
          hint: 'add `"""` on a line of its own where the text ends',
        }));
        break;
    }
  }
  return out;
}

function printable(s: string): string {
  return [...s].map((c) => (c.charCodeAt(0) < 32 || c === '\u007f' ? `\\u{${c.charCodeAt(0).toString(16)}}` : c)).join('');
}

function describeToken(t: IToken): string {
  if (t.tokenType.name === 'EOF') return 'the end of the file';
  if (t.tokenType.name === 'Newline') return 'the end of the line';
  return `\`${printable(t.image.length > 30 ? t.image.slice(0, 30) + '…' : t.image)}\``;
}

function syntaxDiagnostic(e: IRecognitionException, lines: LineIndex, text: string): Diagnostic {
  const tok = e.token;
  const span = tok.tokenType.name === 'EOF' || Number.isNaN(tok.startOffset) ? lines.spanAt(text.length, 0) : lines.tokenSpan(tok);
  const found = describeToken(tok);
  const rule = e.context?.ruleStack?.[e.context.ruleStack.length - 1] ?? '';
  let expected = 'a statement';
  let hint: string | undefined;
  switch (e.name) {
    case 'MismatchedTokenException': {
      const m =
        /Expecting token of type --> (\w+) <--/.exec(e.message) ?? /Expecting --> (.+?) <-- but found/.exec(e.message) ?? /Expecting: (.*?) but found/.exec(e.message);
      // Chevrotain names a token by its label when it has one (`"}"`); map labels back to names.
      const want = TOKEN_BY_LABEL.get(m?.[1] ?? '') ?? m?.[1] ?? '';
      expected = TOKEN_WORDS[want] ?? want;
      if (want === 'EOF' && tok.tokenType.name === 'RBrace') {
        expected = 'a statement or the end of the file';
        hint = 'this `}` has no matching `{`';
      }
      if (want === 'RBrace') hint = 'every `{` needs a matching `}`; check the block that starts above';
      if (want === 'RBracket') hint = 'lists look like `[a, b, c]`; every `[` needs a matching `]`';
      if (want === 'RParen') hint = 'every `(` in a condition needs a matching `)`';
      break;
    }
    case 'NoViableAltException':
      expected = RULE_EXPECTS[rule] ?? 'a statement';
      break;
    case 'EarlyExitException':
      expected = RULE_EXPECTS[rule] ?? 'more input';
      break;
    case 'NotAllInputParsedException':
      expected = 'a statement or the end of the file';
      if (tok.tokenType.name === 'RBrace') hint = 'this `}` has no matching `{`';
      break;
  }
  if (tok.tokenType.name === 'Else') hint = '`else` must follow the `}` of a `when` block on the same line: `} else {`';
  if (rule === 'comparison' && tok.tokenType.name !== 'EOF') hint ??= 'conditions look like `release >= 9`, `platform = linux/386` or `release in [9, 10]`';
  return error('E010', span, `expected ${expected}, found ${found}`, { expected, hint });
}

const TOKEN_BY_LABEL = new Map(allTokens.filter((t) => t.LABEL).map((t) => [t.LABEL!, t.name]));

const TOKEN_WORDS: Record<string, string> = {
  RBrace: '`}`',
  LBrace: '`{`',
  RBracket: '`]`',
  RParen: '`)`',
  Word: 'a word',
  EOF: 'the end of the file',
};

const RULE_EXPECTS: Record<string, string> = {
  file: 'a statement',
  node: 'a statement',
  block: 'a statement or `}`',
  argument: 'a value',
  list: 'a list item or `]`',
  whenBlock: 'a condition',
  condition: 'a condition such as `release >= 9`',
  conjunction: 'a condition such as `release >= 9`',
  negation: 'a condition such as `release >= 9`',
  comparison: 'a comparison operator (`=`, `!=`, `>`, `>=`, `<`, `<=`) or `in [...]`',
};
