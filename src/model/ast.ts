// Phase 1 output: a syntax tree that mirrors what was written, with spans. No meaning yet.
import type { Span } from '../diagnostics/diagnostic.js';

export type ValueKind = 'word' | 'string' | 'text' | 'list' | 'arrow';

export interface Value {
  kind: ValueKind;
  /** The value after unescaping (strings) or dedenting (text blocks); the raw text for words. */
  text: string;
  /** List items, for kind "list". */
  items?: Value[];
  span: Span;
}

export interface Statement {
  kind: 'statement';
  name: string;
  nameSpan: Span;
  args: Value[];
  block?: Block;
  span: Span;
}

export interface Block {
  nodes: Node[];
  span: Span;
}

export type ComparisonOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'in';

export type Condition =
  | { kind: 'compare'; axis: string; axisSpan: Span; op: ComparisonOp; values: Value[]; span: Span }
  | { kind: 'and' | 'or'; left: Condition; right: Condition; span: Span }
  | { kind: 'not'; operand: Condition; span: Span };

export interface WhenBlock {
  kind: 'when';
  condition: Condition;
  then: Block;
  /** `else when …` is an else branch holding a single WhenBlock. */
  otherwise?: Block;
  span: Span;
}

export type Node = Statement | WhenBlock;

export interface Comment {
  text: string;
  span: Span;
}

export interface SourceFile {
  path: string;
  text: string;
  nodes: Node[];
  comments: Comment[];
}
