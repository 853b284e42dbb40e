// Compact, readable views of syntax trees, so parser tests can state expectations in a few lines.
import type { Condition, Node, Value } from '../../src/model/ast.js';
import type { Span } from '../../src/diagnostics/diagnostic.js';
import { parseSource } from '../../src/phases/1-parse/parse.js';

/** A value as it would be written back: words bare, strings and text quoted, lists bracketed. */
export function valueView(v: Value): string {
  switch (v.kind) {
    case 'list':
      return `[${(v.items ?? []).map(valueView).join(', ')}]`;
    case 'string':
    case 'text':
      return JSON.stringify(v.text);
    default:
      return v.text;
  }
}

export function conditionView(c: Condition): string {
  switch (c.kind) {
    case 'compare':
      return `${c.axis} ${c.op} ${c.op === 'in' ? `[${c.values.map(valueView).join(', ')}]` : valueView(c.values[0]!)}`;
    case 'not':
      return `not (${conditionView(c.operand)})`;
    default:
      return `(${conditionView(c.left)} ${c.kind} ${conditionView(c.right)})`;
  }
}

export type NodeView = string | { when: string; then: NodeView[]; else?: NodeView[] } | { [statement: string]: NodeView[] };

/** `install [a, b]` → "install [a, b]"; a statement with a block → { "post": [...] }. */
export function nodeView(n: Node): NodeView {
  if (n.kind === 'when') {
    const v: NodeView = { when: conditionView(n.condition), then: n.then.nodes.map(nodeView) };
    if (n.otherwise) v.else = n.otherwise.nodes.map(nodeView);
    return v;
  }
  const head = [n.name, ...n.args.map(valueView)].join(' ');
  return n.block ? { [head]: n.block.nodes.map(nodeView) } : head;
}

/** Parses text and returns its nodes' views and the diagnostic codes. */
export function parseView(text: string): { nodes: NodeView[]; codes: string[] } {
  const r = parseSource('test.alma', text);
  return { nodes: r.file.nodes.map(nodeView), codes: r.diagnostics.map((d) => d.code) };
}

/** "2:3-2:10": a span as line:col-endLine:endCol. */
export function spanView(s: Span): string {
  return `${s.line}:${s.col}-${s.endLine}:${s.endCol}`;
}
