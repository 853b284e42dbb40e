// Where each name is declared and where it is used, read from the syntax trees of phase 1: the
// basis of go to definition, find references, rename, hover and the outline. Names are global
// across files, as in the analyzer.
import type { Span } from '../diagnostics/diagnostic.js';
import type { Condition, Node, SourceFile, Statement, Value } from '../model/ast.js';

export type SymbolKind = 'image' | 'fragment' | 'release' | 'platform' | 'repository';
export const SYMBOL_KINDS: readonly SymbolKind[] = ['release', 'platform', 'repository', 'fragment', 'image'];

export interface Occurrence {
  kind: SymbolKind;
  name: string;
  /** The name itself. */
  span: Span;
  declaration: boolean;
  /** For declarations: the whole statement with its block. */
  full?: Span;
}

/** Images and fragments share one namespace (`use` and `extends` say which is meant). */
export const namespaceOf = (k: SymbolKind): string => (k === 'image' || k === 'fragment' ? 'body' : k);

const words = (vs: Value[]): Value[] => vs.flatMap((v) => (v.kind === 'list' ? words(v.items ?? []) : v.kind === 'arrow' ? [] : [v]));

export function occurrencesIn(file: SourceFile): Occurrence[] {
  const out: Occurrence[] = [];
  const ref = (kind: SymbolKind, v: Value) => out.push({ kind, name: v.text, span: v.span, declaration: false });
  const condition = (c: Condition) => {
    if (c.kind === 'compare') {
      if (c.axis === 'release' || c.axis === 'platform') for (const v of words(c.values)) ref(c.axis, v);
    } else if (c.kind === 'not') condition(c.operand);
    else {
      condition(c.left);
      condition(c.right);
    }
  };
  const body = (nodes: Node[]) => {
    for (const n of nodes) {
      if (n.kind === 'when') {
        condition(n.condition);
        body(n.then.nodes);
        if (n.otherwise) body(n.otherwise.nodes);
        continue;
      }
      statement(n);
      if (n.block) body(n.block.nodes);
    }
  };
  const statement = (st: Statement) => {
    const kinds: Record<string, SymbolKind> = { use: 'fragment', releases: 'release', platforms: 'platform', repositories: 'repository' };
    const kind = kinds[st.name];
    if (kind) for (const v of words(st.args)) ref(kind, v);
  };
  for (const n of file.nodes) {
    if (n.kind !== 'statement') {
      body([n]);
      continue;
    }
    const kind = (SYMBOL_KINDS as readonly string[]).includes(n.name) ? (n.name as SymbolKind) : undefined;
    const name = n.args[0];
    if (kind && name && name.kind === 'word') {
      out.push({ kind, name: name.text, span: name.span, declaration: true, full: n.span });
      if (kind === 'image' && n.args[1]?.text === 'extends') for (const v of words(n.args.slice(2))) ref('image', v);
    }
    if (n.block) body(n.block.nodes);
  }
  return out;
}

export class SymbolIndex {
  private byFile = new Map<string, { file: SourceFile; occurrences: Occurrence[] }>();

  /** Re-index the files whose syntax tree changed (trees are compared by identity). */
  update(files: ReadonlyMap<string, SourceFile>): void {
    for (const p of this.byFile.keys()) if (!files.has(p)) this.byFile.delete(p);
    for (const [p, f] of files) if (this.byFile.get(p)?.file !== f) this.byFile.set(p, { file: f, occurrences: occurrencesIn(f) });
  }

  inFile(path: string): Occurrence[] {
    return this.byFile.get(path)?.occurrences ?? [];
  }

  all(): Occurrence[] {
    return [...this.byFile.values()].flatMap((f) => f.occurrences);
  }

  /** The occurrence whose name covers this offset of a file. */
  at(path: string, offset: number): Occurrence | undefined {
    return this.inFile(path).find((o) => offset >= o.span.offset && offset <= o.span.offset + o.span.length);
  }

  declarations(kind: SymbolKind, name?: string): Occurrence[] {
    const ns = namespaceOf(kind);
    return this.all().filter((o) => o.declaration && namespaceOf(o.kind) === ns && (name === undefined || o.name === name));
  }

  /** Every occurrence (declarations and uses) of the name that `o` is. */
  sameSymbol(o: Occurrence): Occurrence[] {
    const ns = namespaceOf(o.kind);
    return this.all().filter((x) => x.name === o.name && namespaceOf(x.kind) === ns);
  }
}
