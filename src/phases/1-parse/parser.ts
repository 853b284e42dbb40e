// The .alma grammar as a Chevrotain parser whose rules build the syntax tree (model/ast.ts) as they
// recognise it. It knows the *shape* of the language only (statements, blocks, lists, conditions);
// which statement names exist where, and what their arguments mean, is checked in phase 2 against
// the schema. That split keeps this grammar small, lets error recovery work at statement
// granularity, and gives schema errors "did you mean" hints.
//
// The rules return tree nodes directly (Chevrotain's embedded actions) rather than a concrete
// syntax tree that a second pass turns into one: at 10,000 files the CST was most of what parsing
// allocated. What error recovery gives up is dropped: a rule that Chevrotain re-synchronised
// returns undefined (its default recovery value), and a token it inserted (its offset is NaN)
// makes no value. Code that builds the tree is skipped while Chevrotain records the grammar
// (RECORDING_PHASE, when rules run once with stand-in tokens): in the rules run at every statement,
// argument and list item that test takes the place of ACTION(() => …), a closure per call.
import type { IOrAlt, IRecognitionException, IToken } from 'chevrotain';
import { error, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import type { Block, ComparisonOp, Condition, Node, Statement, Value, WhenBlock } from '../../model/ast.js';
import { EmbeddedActionsParser, EOF } from './chevrotain.js';
import type { LineIndex } from './line-index.js';
import { dedentTextBlock, unescapeString } from './strings.js';
import * as T from './tokens.js';

/**
 * Syntax errors after which parsing stops. Chevrotain's error recovery re-enters the grammar
 * recursively once per recovered error, so an input with thousands of errors (a binary file, a
 * mangled paste) would otherwise exhaust the stack, and recovery is quadratic in the error count.
 */
export const MAX_SYNTAX_ERRORS = 100;

/** Nesting deeper than this is rejected instead of risking a stack overflow in later phases. */
export const MAX_NESTING = 64;

export function nestingError(span: Span): Diagnostic {
  return error('E011', span, `blocks are nested more than ${MAX_NESTING} levels deep`, {
    expected: `at most ${MAX_NESTING} levels of nesting`,
    hint: 'split the definition into fragments and `use` them',
  });
}

/** Thrown out of the parser when MAX_SYNTAX_ERRORS is reached; parse.ts turns it into a diagnostic. */
export class TooManySyntaxErrors extends Error {}

const inserted = (t: IToken | undefined): boolean => !t || Number.isNaN(t.startOffset);

/** A token as a value. Its lexical problems were reported from the token stream (parse.ts). */
export function scalarValue(t: IToken, lines: LineIndex): Value {
  const span = lines.tokenSpan(t);
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

/**
 * Rules take the nesting depth of what they build (`depth`) and whether an enclosing node is
 * already too deep (`deep`: then nothing inside it is reported again). Blocks, `else when` chains,
 * conditions and negations count towards MAX_NESTING.
 */
type Depth = [depth: number, deep: boolean];
const TOP: Depth = [0, false];
const TOP_ARGS = { ARGS: [TOP] as [Depth] };
const NAME = { LABEL: 'name' };
const ITEM = { LABEL: 'item' };
/** The depth of what is nested in a node at d: one more, and deep if d is too deep already. */
const inside = (d: Depth): Depth => [d[0] + 1, d[1] || d[0] >= MAX_NESTING];

export class AlmaParser extends EmbeddedActionsParser {
  /** The file being parsed (for spans) and the nesting errors found in it: set by parseFile(). */
  private lines!: LineIndex;
  private nesting: Diagnostic[] = [];

  /**
   * `validate` runs Chevrotain's grammar validations (ambiguities, left recursion…), a third of the
   * parser's construction time at every start. The grammar is fixed, so they run in a unit test
   * (test/unit/grammar-validation.test.ts) rather than in every process.
   */
  constructor(options: { validate?: boolean; recovery?: boolean } = {}) {
    super(T.allTokens, { recoveryEnabled: options.recovery ?? true, maxLookahead: 2, skipValidations: !options.validate });
    this.performSelfAnalysis();
  }

  /** Parses `tokens` of the file `lines` indexes: its top-level nodes, and nesting errors (E011). */
  parseFile(tokens: IToken[], lines: LineIndex): { nodes: Node[]; nesting: Diagnostic[]; errors: IRecognitionException[] } {
    this.lines = lines;
    this.nesting = [];
    this.input = tokens;
    const nodes = this.file();
    return { nodes: nodes ?? [], nesting: this.nesting, errors: this.errors };
  }

  // The alternatives of each OR, made on the rule's first run and reused: Chevrotain takes them as
  // an array of objects holding closures, which would otherwise be allocated anew at every
  // statement, argument and list item. As Chevrotain's own performance guide recommends; the
  // closures only refer to `this`, the same at every run (a block's nodes take their depth from
  // `blockDepth`, a node its kind from `nodeDepth`). Those of the rarer rules that pass arguments on are made per run.
  private fileItem?: IOrAlt<Node | undefined>[];
  private blockItem?: IOrAlt<Node | undefined>[];
  private nodeKind?: IOrAlt<Node | undefined>[];
  private argumentKind?: IOrAlt<IToken | Value | undefined>[];
  private listItem?: IOrAlt<IToken>[];
  private comparisonKind?: IOrAlt<{ op: IToken; values: Value[] | undefined } | undefined>[];
  private comparisonOp?: IOrAlt<IToken>[];
  private comparisonValue?: IOrAlt<IToken>[];

  /** Chevrotain's hook for every recorded error (not in its typings); a non-recognition error ends the parse. */
  protected SAVE_ERROR(error: IRecognitionException): IRecognitionException {
    const saved = (EmbeddedActionsParser.prototype as unknown as { SAVE_ERROR: (e: IRecognitionException) => IRecognitionException }).SAVE_ERROR.call(this, error);
    if (this.errors.length >= MAX_SYNTAX_ERRORS) throw new TooManySyntaxErrors();
    return saved;
  }

  /**
   * The span of the tokens a rule consumed since `before` (LA(0) when it began): from `first`, or
   * when error recovery inserted that one, from the next real token. Nothing consumed: offset 0.
   */
  private spanSince(before: IToken, first: IToken) {
    const last = this.LA(0);
    const from = inserted(first) ? this.tokenAfter(before) : first;
    if (last === before || !from || inserted(last) || from.startOffset > last.startOffset) return this.lines.spanAt(0, 0);
    return this.lines.tokensSpan(from, last);
  }

  /** The first input token after `t` (the start of the input when t is none). */
  private tokenAfter(t: IToken): IToken | undefined {
    const input = this.input;
    const after = inserted(t) || t.tokenType === EOF ? -1 : t.startOffset;
    let lo = 0;
    let hi = input.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (input[mid]!.startOffset <= after) lo = mid + 1;
      else hi = mid;
    }
    return input[lo];
  }

  /** Records E011 for a node too deep under no other that is. */
  private tooDeep(d: Depth, span: () => Span): boolean {
    if (d[0] < MAX_NESTING) return false;
    if (!d[1]) this.nesting.push(nestingError(span()));
    return true;
  }

  /** file := ( Newline | node )* EOF — the top-level nodes. */
  public file = this.RULE(
    'file',
    () => {
      const nodes: Node[] = (this.fileNodes = []);
      this.MANY(() => {
        const n = this.OR((this.fileItem ??= [{ ALT: () => void this.CONSUME(T.Newline) }, { ALT: () => this.SUBRULE(this.node, TOP_ARGS) }]));
        if (n && !this.RECORDING_PHASE) nodes.push(n);
      });
      this.CONSUME(EOF);
      return nodes;
    },
    // The whole file re-synchronised (error recovery): the nodes read before the error are kept.
    { recoveryValueFunc: () => this.fileNodes },
  );
  private fileNodes: Node[] = [];

  /** node := whenBlock | statement */
  public node = this.RULE('node', (d: Depth) => {
    this.nodeDepth = d; // read by the alternative as it starts: nothing runs in between
    return this.OR((this.nodeKind ??= [{ ALT: () => this.SUBRULE(this.whenBlock, { ARGS: [this.nodeDepth] }) }, { ALT: () => this.SUBRULE(this.statement, { ARGS: [this.nodeDepth] }) }]));
  });
  private nodeDepth: Depth = TOP;

  /** statement := Word argument* block? */
  public statement = this.RULE('statement', (d: Depth): Statement | undefined => {
    const before = this.LA(0);
    const name = this.CONSUME(T.Word, NAME);
    const args: Value[] = [];
    let block: Block | undefined;
    this.MANY(() => {
      const v = this.SUBRULE(this.argument);
      if (v && !this.RECORDING_PHASE) args.push(v);
    });
    this.OPTION(() => {
      // A block too deep is reported by the statement (below), and nothing inside it.
      block = this.SUBRULE(this.block, { ARGS: [this.RECORDING_PHASE ? TOP : inside(d)] });
    });
    if (this.RECORDING_PHASE || inserted(name)) return undefined;
    if (block && this.tooDeep(d, () => block!.span)) return undefined;
    return { kind: 'statement', name: name.image, nameSpan: this.lines.tokenSpan(name), args, block, span: this.spanSince(before, name) };
  });

  /** argument := Word | String | TextBlock | list | "->" | ","  (commas between arguments are optional) */
  public argument = this.RULE('argument', (): Value | undefined => {
    const r = this.OR((this.argumentKind ??= [
      { ALT: () => this.CONSUME(T.Comma) },
      { ALT: () => this.CONSUME(T.Word) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.TextBlock) },
      { ALT: () => this.CONSUME(T.Arrow) },
      { ALT: () => this.SUBRULE(this.list) },
    ]));
    if (this.RECORDING_PHASE || !r || !('tokenType' in r)) return r as Value | undefined;
    return r.tokenType === T.Comma || inserted(r) ? undefined : scalarValue(r, this.lines);
  });

  /** list := "[" ( item | "," | Newline )* "]"  — items may be split over lines. */
  public list = this.RULE('list', (): Value => {
    const before = this.LA(0);
    const open = this.CONSUME(T.LBracket);
    const items: Value[] = [];
    this.MANY(() => {
      const t = this.OR((this.listItem ??= [
        { ALT: () => this.CONSUME(T.Newline) },
        { ALT: () => this.CONSUME(T.Comma) },
        { ALT: () => this.CONSUME(T.Word, ITEM) },
        { ALT: () => this.CONSUME(T.StringLiteral, ITEM) },
        { ALT: () => this.CONSUME(T.TextBlock, ITEM) },
      ]));
      if (!this.RECORDING_PHASE && t.tokenType !== T.Newline && t.tokenType !== T.Comma && !inserted(t)) items.push(scalarValue(t, this.lines));
    });
    this.CONSUME(T.RBracket);
    return this.RECORDING_PHASE ? (undefined as unknown as Value) : { kind: 'list', text: '', items, span: this.spanSince(before, open) };
  });

  /** block := "{" ( Newline | node )* "}" — its nodes are at depth d. */
  public block = this.RULE('block', (d: Depth): Block => {
    const before = this.LA(0);
    const open = this.CONSUME(T.LBrace);
    const nodes: Node[] = [];
    this.MANY(() => {
      // Read by the (shared) alternative as it starts the node: nothing runs in between.
      this.blockDepth = d;
      const n = this.OR((this.blockItem ??= [{ ALT: () => void this.CONSUME(T.Newline) }, { ALT: () => this.SUBRULE(this.node, { ARGS: [this.blockDepth] }) }]));
      if (n && !this.RECORDING_PHASE) nodes.push(n);
    });
    this.CONSUME(T.RBrace);
    return this.RECORDING_PHASE ? (undefined as unknown as Block) : { nodes, span: this.spanSince(before, open) };
  });
  /** The depth of the nodes of the block being read (see block). */
  private blockDepth: Depth = TOP;

  /** whenBlock := "when" condition block ( "else" ( whenBlock | block ) )? */
  public whenBlock = this.RULE('whenBlock', (d: Depth): WhenBlock | undefined => {
    const before = this.LA(0);
    const when = this.CONSUME(T.When);
    const inner = this.ACTION(() => inside(d));
    const condition = this.SUBRULE(this.condition, { ARGS: [this.ACTION(() => [d[0], inner[1]] as Depth)] });
    const then = this.SUBRULE(this.block, { LABEL: 'then', ARGS: [inner] });
    let otherwise: Block | undefined;
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([
        {
          ALT: () => {
            const w = this.SUBRULE(this.whenBlock, { LABEL: 'elseWhen', ARGS: [inner] });
            this.ACTION(() => w && (otherwise = { nodes: [w], span: w.span }));
          },
        },
        { ALT: () => (otherwise = this.SUBRULE2(this.block, { LABEL: 'otherwise', ARGS: [inner] })) },
      ]);
    });
    return this.ACTION(() => {
      if (this.tooDeep(d, () => this.spanSince(before, when))) return undefined;
      if (!condition || !then) return undefined;
      return { kind: 'when', condition, then, otherwise, span: this.spanSince(before, when) };
    });
  });

  /** condition := conjunction ( "or" conjunction )* */
  public condition = this.RULE('condition', (d: Depth): Condition | undefined => {
    const before = this.LA(0);
    const first = this.LA(1);
    const inner = this.ACTION(() => inside(d));
    const parts: (Condition | undefined)[] = [];
    parts.push(this.SUBRULE(this.conjunction, { ARGS: [inner] }));
    this.MANY(() => {
      this.CONSUME(T.Or);
      parts.push(this.SUBRULE2(this.conjunction, { ARGS: [inner] }));
    });
    return this.ACTION(() => (this.tooDeep(d, () => this.spanSince(before, first)) ? undefined : this.fold(parts, 'or')));
  });

  /** conjunction := negation ( "and" negation )* */
  public conjunction = this.RULE('conjunction', (d: Depth): Condition | undefined => {
    const inner = this.ACTION(() => [d[0] + 1, d[1]] as Depth);
    const parts: (Condition | undefined)[] = [];
    parts.push(this.SUBRULE(this.negation, { ARGS: [inner] }));
    this.MANY(() => {
      this.CONSUME(T.And);
      parts.push(this.SUBRULE2(this.negation, { ARGS: [inner] }));
    });
    return this.ACTION(() => this.fold(parts, 'and'));
  });

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

  /** negation := "not" negation | "(" condition ")" | comparison */
  public negation = this.RULE('negation', (d: Depth): Condition | undefined => {
    const before = this.LA(0);
    const first = this.LA(1);
    const inner = this.ACTION(() => inside(d));
    const r = this.OR([
      {
        ALT: () => {
          const not = this.CONSUME(T.Not);
          const operand = this.SUBRULE(this.negation, { ARGS: [inner] });
          return this.ACTION(() => (operand ? ({ kind: 'not', operand, span: this.spanSince(before, not) } as Condition) : undefined));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const c = this.SUBRULE(this.condition, { ARGS: [inner] });
          this.CONSUME(T.RParen);
          return c;
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
    return this.ACTION(() => (this.tooDeep(d, () => this.spanSince(before, first)) ? undefined : r));
  });

  /** comparison := Word ( ("=" | "!=" | ">" | ">=" | "<" | "<=") value | "in" list ) */
  public comparison = this.RULE('comparison', (): Condition | undefined => {
    const before = this.LA(0);
    const axis = this.CONSUME(T.Word, { LABEL: 'axis' });
    const r = this.OR((this.comparisonKind ??= [
      {
        ALT: () => {
          const op = this.OR2((this.comparisonOp ??= [
            { ALT: () => this.CONSUME(T.Equals, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.NotEq, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.GreaterEq, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.Greater, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.LessEq, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.Less, { LABEL: 'op' }) },
          ]));
          const v = this.OR3((this.comparisonValue ??= [{ ALT: () => this.CONSUME2(T.Word, { LABEL: 'value' }) }, { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'value' }) }]));
          return this.RECORDING_PHASE ? undefined : { op, values: inserted(v) ? undefined : [scalarValue(v, this.lines)] };
        },
      },
      {
        ALT: () => {
          const op = this.CONSUME(T.In, { LABEL: 'op' });
          const list = this.SUBRULE(this.list);
          return this.RECORDING_PHASE ? undefined : { op, values: list?.items };
        },
      },
    ]));
    if (this.RECORDING_PHASE || !r || inserted(axis) || inserted(r.op) || !r.values) return undefined;
    return { kind: 'compare', axis: axis.image, axisSpan: this.lines.tokenSpan(axis), op: r.op.image as ComparisonOp, values: r.values, span: this.spanSince(before, axis) };
  });
}

/**
 * The parser, built once per process, with or without error recovery. A file without syntax errors
 * gets the same tree from both; recovery is what finds all of a file's errors in one run, and it
 * costs a part of the parser's construction (Chevrotain computes the follow sets it re-syncs by),
 * so parse.ts parses with the plain parser first and only a file with errors again with recovery.
 */
const parsers: { plain?: AlmaParser; recovering?: AlmaParser } = {};
export function getParser(opts: { recovery?: boolean } = {}): AlmaParser {
  if (opts.recovery === false) return (parsers.plain ??= new AlmaParser({ recovery: false }));
  return (parsers.recovering ??= new AlmaParser());
}
