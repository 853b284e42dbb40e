// The .alma grammar as a Chevrotain CST parser. It knows the *shape* of the language only
// (statements, blocks, lists, conditions); which statement names exist where, and what their
// arguments mean, is checked in phase 2 against the schema. That split keeps this grammar small,
// lets error recovery work at statement granularity, and gives schema errors "did you mean" hints.
import type { CstNode, IOrAlt, IRecognitionException } from 'chevrotain';
import { CstParser, EOF } from './chevrotain.js';
import * as T from './tokens.js';

/**
 * Syntax errors after which parsing stops. Chevrotain's error recovery re-enters the grammar
 * recursively once per recovered error, so an input with thousands of errors (a binary file, a
 * mangled paste) would otherwise exhaust the stack, and recovery is quadratic in the error count.
 */
export const MAX_SYNTAX_ERRORS = 100;

/** Thrown out of the parser when MAX_SYNTAX_ERRORS is reached; parse.ts turns it into a diagnostic. */
export class TooManySyntaxErrors extends Error {}

export class AlmaParser extends CstParser {
  /**
   * `validate` runs Chevrotain's grammar validations (ambiguities, left recursion…), a third of the
   * parser's construction time at every start. The grammar is fixed, so they run in a unit test
   * (test/unit/grammar-validation.test.ts) rather than in every process.
   */
  constructor(options: { validate?: boolean; recovery?: boolean } = {}) {
    super(T.allTokens, { recoveryEnabled: options.recovery ?? true, maxLookahead: 2, nodeLocationTracking: 'onlyOffset', skipValidations: !options.validate });
    this.performSelfAnalysis();
  }

  // The alternatives of each OR, made on the rule's first run and reused: Chevrotain takes them as
  // an array of objects holding closures, which would otherwise be allocated anew at every
  // statement, argument and list item (a third of what parsing allocated). As Chevrotain's own
  // performance guide recommends; the closures only refer to `this`, the same at every run.
  private fileItem?: IOrAlt<unknown>[];
  private nodeKind?: IOrAlt<unknown>[];
  private argumentKind?: IOrAlt<unknown>[];
  private listItem?: IOrAlt<unknown>[];
  private blockItem?: IOrAlt<unknown>[];
  private elseKind?: IOrAlt<unknown>[];
  private negationKind?: IOrAlt<unknown>[];
  private comparisonKind?: IOrAlt<unknown>[];
  private comparisonOp?: IOrAlt<unknown>[];
  private comparisonValue?: IOrAlt<unknown>[];

  /** Chevrotain's hook for every recorded error (not in its typings); a non-recognition error ends the parse. */
  protected SAVE_ERROR(error: IRecognitionException): IRecognitionException {
    const saved = (CstParser.prototype as unknown as { SAVE_ERROR: (e: IRecognitionException) => IRecognitionException }).SAVE_ERROR.call(this, error);
    if (this.errors.length >= MAX_SYNTAX_ERRORS) throw new TooManySyntaxErrors();
    return saved;
  }

  /** file := ( Newline | node )* EOF */
  public file = this.RULE('file', () => {
    this.MANY(() => {
      this.OR((this.fileItem ??= [{ ALT: () => this.CONSUME(T.Newline) }, { ALT: () => this.SUBRULE(this.node) }]));
    });
    this.CONSUME(EOF);
  });

  /** node := whenBlock | statement */
  public node = this.RULE('node', () => {
    this.OR((this.nodeKind ??= [{ ALT: () => this.SUBRULE(this.whenBlock) }, { ALT: () => this.SUBRULE(this.statement) }]));
  });

  /** statement := Word argument* block? */
  public statement = this.RULE('statement', () => {
    this.CONSUME(T.Word, { LABEL: 'name' });
    this.MANY(() => this.SUBRULE(this.argument));
    this.OPTION(() => this.SUBRULE(this.block));
  });

  /** argument := Word | String | TextBlock | list | "->" | ","  (commas between arguments are optional) */
  public argument = this.RULE('argument', () => {
    this.OR((this.argumentKind ??= [
      { ALT: () => this.CONSUME(T.Comma) },
      { ALT: () => this.CONSUME(T.Word) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.TextBlock) },
      { ALT: () => this.CONSUME(T.Arrow) },
      { ALT: () => this.SUBRULE(this.list) },
    ]));
  });

  /** list := "[" ( item | "," | Newline )* "]"  — items may be split over lines. */
  public list = this.RULE('list', () => {
    this.CONSUME(T.LBracket);
    this.MANY(() => {
      this.OR((this.listItem ??= [
        { ALT: () => this.CONSUME(T.Newline) },
        { ALT: () => this.CONSUME(T.Comma) },
        { ALT: () => this.CONSUME(T.Word, { LABEL: 'item' }) },
        { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'item' }) },
        { ALT: () => this.CONSUME(T.TextBlock, { LABEL: 'item' }) },
      ]));
    });
    this.CONSUME(T.RBracket);
  });

  /** block := "{" ( Newline | node )* "}" */
  public block = this.RULE('block', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR((this.blockItem ??= [{ ALT: () => this.CONSUME(T.Newline) }, { ALT: () => this.SUBRULE(this.node) }]));
    });
    this.CONSUME(T.RBrace);
  });

  /** whenBlock := "when" condition block ( "else" ( whenBlock | block ) )? */
  public whenBlock = this.RULE('whenBlock', () => {
    this.CONSUME(T.When);
    this.SUBRULE(this.condition);
    this.SUBRULE(this.block, { LABEL: 'then' });
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR((this.elseKind ??= [
        { ALT: () => this.SUBRULE(this.whenBlock, { LABEL: 'elseWhen' }) },
        { ALT: () => this.SUBRULE2(this.block, { LABEL: 'otherwise' }) },
      ]));
    });
  });

  /** condition := conjunction ( "or" conjunction )* */
  public condition = this.RULE('condition', () => {
    this.SUBRULE(this.conjunction);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.conjunction);
    });
  });

  /** conjunction := negation ( "and" negation )* */
  public conjunction = this.RULE('conjunction', () => {
    this.SUBRULE(this.negation);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.negation);
    });
  });

  /** negation := "not" negation | "(" condition ")" | comparison */
  public negation = this.RULE('negation', () => {
    this.OR((this.negationKind ??= [
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.negation);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.condition);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]));
  });

  /** comparison := Word ( ("=" | "!=" | ">" | ">=" | "<" | "<=") value | "in" list ) */
  public comparison = this.RULE('comparison', () => {
    this.CONSUME(T.Word, { LABEL: 'axis' });
    this.OR((this.comparisonKind ??= [
      {
        ALT: () => {
          this.OR2((this.comparisonOp ??= [
            { ALT: () => this.CONSUME(T.Equals, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.NotEq, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.GreaterEq, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.Greater, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.LessEq, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.Less, { LABEL: 'op' }) },
          ]));
          this.OR3((this.comparisonValue ??= [
            { ALT: () => this.CONSUME2(T.Word, { LABEL: 'value' }) },
            { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'value' }) },
          ]));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.In, { LABEL: 'op' });
          this.SUBRULE(this.list);
        },
      },
    ]));
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

export interface ParseOutput {
  cst: CstNode;
  errors: IRecognitionException[];
}
