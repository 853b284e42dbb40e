// Phase 1: source text → tokens → CST → syntax tree (model/ast.ts), with every lexical and syntax
// error as a diagnostic. Never throws on any input.
import { unclosedBrace } from './braces.js';
import type { CstNode, IToken, IRecognitionException, CstElement } from 'chevrotain';
import { error, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import type { Block, Comment, Condition, ComparisonOp, Node, SourceFile, Statement, Value, WhenBlock } from '../../model/ast.js';
import { allTokens, lex } from './tokens.js';
import { TooManySyntaxErrors, getParser, MAX_SYNTAX_ERRORS } from './parser.js';
import { dedentTextBlock, unescapeString } from './strings.js';
import { pushAll } from '../../util/arrays.js';

export interface ParseResult {
  file: SourceFile;
  diagnostics: Diagnostic[];
}

/** Nesting deeper than this is rejected instead of risking a stack overflow in later phases. */
export const MAX_NESTING = 64;

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
  parser.input = lexed.tokens;
  let cst: CstNode;
  try {
    cst = parser.file();
    if (parser.errors.length) {
      parser = getParser({ recovery: true });
      parser.input = lexed.tokens;
      cst = parser.file();
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

  const comments: Comment[] = (lexed.groups['comments'] ?? []).map((t) => ({ text: t.image, span: lines.tokenSpan(t) }));
  const builder = new AstBuilder(lines, diagnostics);
  const nodes = builder.nodes(cst.children['node'] as CstNode[] | undefined, 0);
  return { file: { path, text, nodes, comments }, diagnostics };
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

function nestingError(span: Span): Diagnostic {
  return error('E011', span, `blocks are nested more than ${MAX_NESTING} levels deep`, {
    expected: `at most ${MAX_NESTING} levels of nesting`,
    hint: 'split the definition into fragments and `use` them',
  });
}

/**
 * The parser recurses once per level of nesting, so nesting is measured on the tokens before
 * parsing: past PARSER_NESTING_LIMIT the file is rejected unparsed. The count (blocks, `else when`
 * chains, and parentheses and `not`s inside a condition) never exceeds the depth the tree builder
 * measures, so anything rejected here would be rejected there too (at MAX_NESTING, with the rest
 * of the file still checked); this guard only keeps absurd inputs from exhausting the stack.
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

/** Maps offsets to line/column positions. */
export class LineIndex {
  private starts: number[] = [0];
  constructor(readonly path: string, readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.starts[lo]! + 1 };
  }
  spanAt(offset: number, length: number): Span {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const len = Math.max(0, Math.min(length, this.text.length - o));
    const a = this.position(o);
    const b = this.position(o + len);
    return { file: this.path, line: a.line, col: a.col, endLine: b.line, endCol: b.col, offset: o, length: len };
  }
  tokenSpan(t: IToken): Span {
    return this.spanAt(t.startOffset, t.image.length);
  }
  join(a: Span, b: Span): Span {
    return this.spanAt(a.offset, Math.max(a.length, b.offset + b.length - a.offset));
  }
}

function isToken(e: CstElement): e is IToken {
  return (e as IToken).tokenType !== undefined;
}

/** CST → AST. Nodes inserted by error recovery are dropped; their errors are already reported. */
class AstBuilder {
  constructor(private lines: LineIndex, private diagnostics: Diagnostic[]) {}

  nodes(cstNodes: CstNode[] | undefined, depth: number): Node[] {
    const out: Node[] = [];
    for (const n of cstNodes ?? []) {
      if (n.recoveredNode) continue;
      const child = (n.children['whenBlock']?.[0] ?? n.children['statement']?.[0]) as CstNode | undefined;
      if (!child || child.recoveredNode) continue;
      const built = child.name === 'whenBlock' ? this.when(child, depth) : this.statement(child, depth);
      if (built) out.push(built);
    }
    return out;
  }

  private nodeSpan(n: CstNode): Span {
    const loc = n.location;
    if (!loc || Number.isNaN(loc.startOffset)) return this.lines.spanAt(0, 0);
    const end = Number.isNaN(loc.endOffset ?? NaN) ? loc.startOffset : (loc.endOffset as number);
    return this.lines.spanAt(loc.startOffset, end - loc.startOffset + 1);
  }

  private tooDeep(n: CstNode, depth: number): boolean {
    if (depth < MAX_NESTING) return false;
    this.diagnostics.push(error('E011', this.nodeSpan(n), `blocks are nested more than ${MAX_NESTING} levels deep`, {
      expected: `at most ${MAX_NESTING} levels of nesting`,
      hint: 'split the definition into fragments and `use` them',
    }));
    return true;
  }

  private statement(n: CstNode, depth: number): Statement | undefined {
    const nameTok = n.children['name']?.[0] as IToken | undefined;
    if (!nameTok || Number.isNaN(nameTok.startOffset)) return undefined;
    const args: Value[] = [];
    for (const a of (n.children['argument'] as CstNode[] | undefined) ?? []) {
      if (a.recoveredNode) continue;
      const v = this.argument(a);
      if (v) args.push(v);
    }
    const blockCst = n.children['block']?.[0] as CstNode | undefined;
    let block: Block | undefined;
    if (blockCst && !blockCst.recoveredNode) {
      if (this.tooDeep(blockCst, depth)) return undefined;
      block = this.block(blockCst, depth + 1);
    }
    return { kind: 'statement', name: nameTok.image, nameSpan: this.lines.tokenSpan(nameTok), args, block, span: this.nodeSpan(n) };
  }

  private block(n: CstNode, depth: number): Block {
    return { nodes: this.nodes(n.children['node'] as CstNode[] | undefined, depth), span: this.nodeSpan(n) };
  }

  private argument(n: CstNode): Value | undefined {
    const listCst = n.children['list']?.[0] as CstNode | undefined;
    if (listCst) return listCst.recoveredNode ? undefined : this.list(listCst);
    // An argument is one token or one list: its first child element is the one.
    let tok: IToken | undefined;
    for (const key in n.children) {
      const first = n.children[key]![0];
      if (first && isToken(first)) {
        tok = first;
        break;
      }
    }
    if (!tok || tok.tokenType.name === 'Comma') return undefined;
    return Number.isNaN(tok.startOffset) ? undefined : this.scalar(tok);
  }

  private list(n: CstNode): Value {
    const items = ((n.children['item'] as IToken[] | undefined) ?? [])
      .filter((t) => !Number.isNaN(t.startOffset))
      .sort((a, b) => a.startOffset - b.startOffset)
      .map((t) => this.scalar(t));
    return { kind: 'list', text: '', items, span: this.nodeSpan(n) };
  }

  /** A token as a value. Its lexical problems were reported from the token stream (tokenDiagnostics). */
  scalar(t: IToken): Value {
    const span = this.lines.tokenSpan(t);
    switch (t.tokenType.name) {
      case 'StringLiteral':
        return { kind: 'string', text: unescapeString(t.image).value, span };
      case 'UnterminatedString':
        return { kind: 'string', text: unescapeString(t.image + '"').value, span };
      case 'TextBlock':
        return { kind: 'text', text: dedentTextBlock(t.image).value, span };
      case 'UnterminatedTextBlock':
        return { kind: 'text', text: t.image.slice(3), span };
      case 'Arrow':
        return { kind: 'arrow', text: '->', span };
      default:
        return { kind: 'word', text: t.image, span };
    }
  }

  private when(n: CstNode, depth: number): WhenBlock | undefined {
    if (this.tooDeep(n, depth)) return undefined;
    const condCst = n.children['condition']?.[0] as CstNode | undefined;
    const thenCst = n.children['then']?.[0] as CstNode | undefined;
    if (!condCst || condCst.recoveredNode || !thenCst || thenCst.recoveredNode) return undefined;
    const condition = this.condition(condCst, depth);
    if (!condition) return undefined;
    const then = this.block(thenCst, depth + 1);
    let otherwise: Block | undefined;
    const elseWhen = n.children['elseWhen']?.[0] as CstNode | undefined;
    const elseBlock = n.children['otherwise']?.[0] as CstNode | undefined;
    if (elseWhen && !elseWhen.recoveredNode) {
      const w = this.when(elseWhen, depth + 1);
      if (w) otherwise = { nodes: [w], span: w.span };
    } else if (elseBlock && !elseBlock.recoveredNode) {
      otherwise = this.block(elseBlock, depth + 1);
    }
    return { kind: 'when', condition, then, otherwise, span: this.nodeSpan(n) };
  }

  private condition(n: CstNode, depth: number): Condition | undefined {
    if (this.tooDeep(n, depth)) return undefined;
    const parts = ((n.children['conjunction'] as CstNode[] | undefined) ?? []).map((c) => this.conjunction(c, depth + 1));
    return this.fold(parts, 'or');
  }

  private conjunction(n: CstNode, depth: number): Condition | undefined {
    const parts = ((n.children['negation'] as CstNode[] | undefined) ?? []).map((c) => this.negation(c, depth + 1));
    return this.fold(parts, 'and');
  }

  /**
   * `a and b and c …` as a balanced tree: the same meaning (and/or are associative), but a chain of
   * thousands of terms stays shallow for the recursive walks of the later phases.
   */
  private fold(parts: (Condition | undefined)[], kind: 'and' | 'or'): Condition | undefined {
    if (parts.length === 0 || parts.some((p) => !p)) return undefined;
    const terms = parts as Condition[];
    const build = (lo: number, hi: number): Condition => {
      if (hi - lo === 1) return terms[lo]!;
      const mid = (lo + hi) >> 1;
      const left = build(lo, mid);
      const right = build(mid, hi);
      return { kind, left, right, span: this.lines.join(left.span, right.span) };
    };
    return build(0, terms.length);
  }

  private negation(n: CstNode, depth: number): Condition | undefined {
    if (n.recoveredNode || this.tooDeep(n, depth)) return undefined;
    if (n.children['Not']) {
      const inner = n.children['negation']?.[0] as CstNode | undefined;
      const operand = inner ? this.negation(inner, depth + 1) : undefined;
      return operand ? { kind: 'not', operand, span: this.nodeSpan(n) } : undefined;
    }
    const nested = n.children['condition']?.[0] as CstNode | undefined;
    if (nested) return this.condition(nested, depth + 1);
    const cmp = n.children['comparison']?.[0] as CstNode | undefined;
    if (!cmp || cmp.recoveredNode) return undefined;
    const axisTok = cmp.children['axis']?.[0] as IToken | undefined;
    const opTok = cmp.children['op']?.[0] as IToken | undefined;
    if (!axisTok || !opTok || Number.isNaN(axisTok.startOffset) || Number.isNaN(opTok.startOffset)) return undefined;
    let values: Value[];
    if (opTok.image === 'in') {
      const listCst = cmp.children['list']?.[0] as CstNode | undefined;
      if (!listCst || listCst.recoveredNode) return undefined;
      values = this.list(listCst).items ?? [];
    } else {
      const valueTok = cmp.children['value']?.[0] as IToken | undefined;
      if (!valueTok || Number.isNaN(valueTok.startOffset)) return undefined;
      values = [this.scalar(valueTok)];
    }
    return { kind: 'compare', axis: axisTok.image, axisSpan: this.lines.tokenSpan(axisTok), op: opTok.image as ComparisonOp, values, span: this.nodeSpan(cmp) };
  }
}
