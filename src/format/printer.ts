// The canonical layout of a .alma file, printed from its token stream. Working on tokens rather than
// on the syntax tree keeps everything the tree drops (comments, where blank lines were, which
// arguments were separated by commas), and makes "never changes meaning" easy to see: the printer
// only ever changes whitespace, commas, the spelling of strings and the indentation of text blocks.
// format.ts re-parses the result and compares syntax trees before anything is written.
//
// The rules:
// - 2-space indentation; one statement per line; `{` ends the line that opens a block, `}` stands
//   on its own line, `} else {` / `} else when … {` join.
// - Blank lines: exactly one between top-level declarations; elsewhere a run of blank lines becomes
//   one, and blank lines at the start or end of a block go.
// - Lists: inline `[a, b, c]` when they fit in MAX_WIDTH columns and have at most MAX_INLINE_ITEMS
//   items; otherwise one item per line, which keeps diffs of package lists to one line per package.
//   The item count only counts for a statement's only list: `enable-repos matching […] except […]`
//   reads better on one line, and breaks only when too wide. Lists holding comments or text blocks
//   are always one item per line; lists in conditions break only for those. Items are never
//   reordered: order is visible in generated files (dnf command lines, step order).
// - Comments: own-line comments stay before what follows them, at its indentation; a trailing
//   comment stays at the end of the line of the token it follows, two spaces after it.
// - Strings are re-quoted canonically (quote.ts); text blocks keep their text and move with the
//   indentation of the line that opens them.
// - Commas between arguments carry no meaning; one is kept where the author wrote any.
import type { IToken } from 'chevrotain';
import { quoteString, reindentTextBlock } from './quote.js';
import { unescapeString } from '../phases/1-parse/strings.js';
import { pushAll } from '../util/arrays.js';

export const INDENT = '  ';
export const MAX_WIDTH = 100;
export const MAX_INLINE_ITEMS = 4;

/** The printer met a token sequence the grammar does not allow; the caller reports it. */
export class LayoutError extends Error {}

const isComment = (t: IToken) => t.tokenType.name === 'Comment';
const kindOf = (t: IToken | undefined) => t?.tokenType.name ?? 'EOF';

export class Printer {
  private readonly out: string[] = [];
  /** The line being built, indentation included; undefined when the last line is finished. */
  private line: string | undefined;
  private i = 0;
  /** How many trailing comments have been placed; tells an empty block from one holding a comment. */
  private trailingComments = 0;

  constructor(private readonly tokens: IToken[], private readonly source: string) {}

  print(): string {
    this.nodes(0);
    if (this.i < this.tokens.length) throw new LayoutError(`unexpected ${kindOf(this.tokens[this.i])} at offset ${this.tokens[this.i]!.startOffset}`);
    this.endLine();
    return this.out.length ? this.out.join('\n') + '\n' : '';
  }

  // ---- lines -------------------------------------------------------------------------------

  private startLine(level: number, text: string): void {
    this.endLine();
    this.line = INDENT.repeat(level) + text;
  }

  private append(text: string): void {
    if (this.line === undefined) throw new LayoutError('text outside a line');
    this.line += text;
  }

  private endLine(): void {
    if (this.line !== undefined) this.out.push(this.line);
    this.line = undefined;
  }

  private blankLine(): void {
    this.endLine();
    if (this.out.length && this.out[this.out.length - 1] !== '') this.out.push('');
  }

  /** A comment after code on its line: it ends the line it was written on. */
  private trailingComment(t: IToken): void {
    const text = `${INDENT}${t.image.trimEnd()}`;
    this.trailingComments++;
    if (this.line !== undefined) this.line += text;
    else if (this.out.length) this.out[this.out.length - 1] += text;
    else throw new LayoutError('trailing comment before any code');
  }

  /**
   * True when nothing the printer keeps precedes the comment on its physical line: only blanks, and
   * commas, which are dropped where they separate nothing (a comment after `,` at the start of a
   * list line has no code of its own to trail).
   */
  private ownLine(t: IToken): boolean {
    for (let k = t.startOffset - 1; k >= 0; k--) {
      const ch = this.source[k];
      if (ch === '\n') return true;
      if (ch !== ' ' && ch !== '\t' && ch !== ',') return false;
    }
    return true;
  }

  // ---- tokens ------------------------------------------------------------------------------

  private peek(): IToken | undefined {
    return this.tokens[this.i];
  }

  private next(expected?: string): IToken {
    const t = this.tokens[this.i];
    if (!t || (expected && kindOf(t) !== expected)) throw new LayoutError(`expected ${expected ?? 'a token'}, found ${kindOf(t)}`);
    this.i++;
    return t;
  }

  // ---- nodes -------------------------------------------------------------------------------

  /** Nodes up to the `}` that closes the block (not consumed), or the end of the file. */
  private nodes(level: number): void {
    const top = level === 0;
    let printedAny = false;
    let lastWasNode = false;
    let newlines = 0;
    let blankSeen = false;
    const separate = () => {
      if (!printedAny) return;
      if (top && lastWasNode) this.blankLine();
      else if (blankSeen) this.blankLine();
    };
    for (;;) {
      const t = this.peek();
      const kind = kindOf(t);
      if (kind === 'EOF' || kind === 'RBrace') return;
      if (kind === 'Newline') {
        this.i++;
        if (++newlines >= 2) blankSeen = true;
        continue;
      }
      newlines = 0;
      if (isComment(t!)) {
        this.i++;
        if (!this.ownLine(t!)) {
          this.trailingComment(t!);
          continue;
        }
        separate();
        this.startLine(level, t!.image.trimEnd());
        this.endLine();
        lastWasNode = false;
      } else {
        separate();
        if (kind === 'When') this.when(level, '');
        else this.statement(level);
        this.endLine();
        lastWasNode = true;
      }
      printedAny = true;
      blankSeen = false;
    }
  }

  private statement(level: number): void {
    this.startLine(level, this.next('Word').image);
    this.arguments(level);
    if (kindOf(this.peek()) === 'LBrace') this.block(level, ' ');
  }

  /** Arguments up to the end of the statement's line, a block, or a comment. */
  private arguments(level: number): void {
    const breakLongList = this.listsAhead() === 1;
    let comma = false;
    let printed = 0;
    for (;;) {
      const t = this.peek();
      switch (kindOf(t)) {
        case 'Comma':
          this.i++;
          comma = printed > 0;
          continue;
        case 'LBracket':
          this.append(comma ? ', ' : ' ');
          this.list(level, { width: true, count: breakLongList });
          break;
        case 'Word':
        case 'StringLiteral':
        case 'TextBlock':
        case 'Arrow':
          this.append(comma ? ', ' : ' ');
          this.scalar(this.next(), level);
          break;
        default:
          return;
      }
      comma = false;
      printed++;
    }
  }

  /** `{` on the current line, the nodes, `}` on a line of its own (left open for `else`). */
  private block(level: number, before: string): void {
    this.append(`${before}{`);
    this.next('LBrace');
    const mark = this.out.length;
    const comments = this.trailingComments;
    this.endLine();
    this.nodes(level + 1);
    this.next('RBrace');
    if (this.out.length === mark + 1 && this.line === undefined && this.trailingComments === comments) {
      // Nothing inside: `name {}`.
      this.line = this.out.pop()! + '}';
    } else {
      this.startLine(level, '}');
    }
  }

  private when(level: number, prefix: string): void {
    if (prefix) this.append(prefix);
    else this.startLine(level, '');
    this.append(this.next('When').image);
    this.condition(level);
    this.block(level, ' ');
    if (kindOf(this.peek()) === 'Else') {
      this.next();
      if (kindOf(this.peek()) === 'When') this.when(level, ' else ');
      else this.block(level, ' else ');
    }
  }

  /** Condition tokens up to the block: single spaces, none inside parentheses. */
  private condition(level: number): void {
    let afterParen = false;
    for (;;) {
      const t = this.peek();
      const kind = kindOf(t);
      if (kind === 'LBrace') return;
      if (kind === 'RParen') {
        this.append(this.next().image);
        afterParen = false;
        continue;
      }
      if (!afterParen) this.append(' ');
      afterParen = kind === 'LParen';
      if (kind === 'LBracket') this.list(level, { width: false, count: false });
      else if (kind === 'StringLiteral') this.scalar(this.next(), level);
      else if (['Word', 'LParen', 'And', 'Or', 'Not', 'In', 'Equals', 'NotEq', 'Greater', 'GreaterEq', 'Less', 'LessEq'].includes(kind)) this.append(this.next().image);
      else throw new LayoutError(`unexpected ${kind} in a condition`);
    }
  }

  /** A word, string, arrow or text block, appended to the current line. */
  private scalar(t: IToken, level: number): void {
    switch (kindOf(t)) {
      case 'StringLiteral':
        this.append(quoteString(unescapeString(t.image).value));
        return;
      case 'TextBlock': {
        const lineIndent = /^ */.exec(this.line ?? '')![0];
        const [open, ...rest] = reindentTextBlock(t.image, lineIndent + INDENT);
        this.append(open!);
        const closing = rest.pop()!;
        this.endLine();
        pushAll(this.out, rest);
        this.line = closing;
        return;
      }
      default:
        this.append(t.image);
    }
  }

  // ---- lists -------------------------------------------------------------------------------

  /** How many lists the statement has from here to its end. */
  private listsAhead(): number {
    let lists = 0;
    let inList = false;
    for (let k = this.i; k < this.tokens.length; k++) {
      const kind = kindOf(this.tokens[k]);
      if (kind === 'LBracket') (inList = true), lists++;
      else if (kind === 'RBracket') inList = false;
      else if (!inList && ['Newline', 'Comment', 'LBrace', 'RBrace'].includes(kind)) break;
    }
    return lists;
  }

  /** `breakFor`: whether the list may go one item per line for its width, or for its item count. */
  private list(level: number, breakFor: { width: boolean; count: boolean }): void {
    const start = this.i;
    this.next('LBracket');
    const items: IToken[] = [];
    let hasComment = false;
    while (kindOf(this.peek()) !== 'RBracket') {
      const t = this.next();
      if (isComment(t)) hasComment = true;
      else if (['Word', 'StringLiteral', 'TextBlock'].includes(kindOf(t))) items.push(t);
      else if (kindOf(t) !== 'Newline' && kindOf(t) !== 'Comma') throw new LayoutError(`unexpected ${kindOf(t)} in a list`);
    }
    this.next('RBracket');
    const inline = `[${items.map((t) => (kindOf(t) === 'StringLiteral' ? quoteString(unescapeString(t.image).value) : t.image)).join(', ')}]`;
    const tooLong = (breakFor.count && items.length > MAX_INLINE_ITEMS) || (breakFor.width && (this.line ?? '').length + inline.length > MAX_WIDTH);
    if (!hasComment && !tooLong && !items.some((t) => kindOf(t) === 'TextBlock')) {
      this.append(inline);
      return;
    }
    // One item per line; comments inside the list keep their places between items.
    this.i = start + 1;
    this.append('[');
    let printedAny = false;
    for (;;) {
      const t = this.next();
      const kind = kindOf(t);
      if (kind === 'RBracket') break;
      if (kind === 'Newline' || kind === 'Comma') continue;
      if (isComment(t) && !this.ownLine(t)) this.trailingComment(t);
      else if (isComment(t)) {
        this.startLine(level + 1, t.image.trimEnd());
        this.endLine();
      } else {
        this.startLine(level + 1, '');
        this.scalar(t, level + 1);
        this.endLine();
      }
      printedAny = true;
    }
    if (!printedAny) this.append(']');
    else this.startLine(level, ']');
  }
}
