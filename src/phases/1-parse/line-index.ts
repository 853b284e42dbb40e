// Offsets in a file's text → line and column positions (spans), for the tokens and tree of phase 1.
import type { IToken } from 'chevrotain';
import type { Span } from '../../diagnostics/diagnostic.js';

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
  /** From the first character of `first` to the last of `last`. */
  tokensSpan(first: IToken, last: IToken): Span {
    return this.spanAt(first.startOffset, last.startOffset + last.image.length - first.startOffset);
  }
  join(a: Span, b: Span): Span {
    return this.spanAt(a.offset, Math.max(a.length, b.offset + b.length - a.offset));
  }
}
