// Go to definition, find references, rename, and the outline, from the symbol index.
import { DocumentSymbol, SymbolKind as LspSymbolKind, type Location, type SymbolInformation, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import { isAbsolute } from 'node:path';
import type { Node } from '../model/ast.js';
import { IDENT } from '../phases/2-analyze/grammars.js';
import { pathToUri, toRange } from './positions.js';
import type { Occurrence, SymbolKind } from './symbols.js';
import type { Workspace } from './workspace.js';

const LSP_KIND: Record<SymbolKind, LspSymbolKind> = {
  image: LspSymbolKind.Class,
  fragment: LspSymbolKind.Module,
  release: LspSymbolKind.EnumMember,
  platform: LspSymbolKind.EnumMember,
  repository: LspSymbolKind.Package,
};

/** Project files are known by project-relative paths, loose files by absolute ones. */
export const uriOf = (ws: Workspace, file: string) => pathToUri(isAbsolute(file) ? file : ws.absolute(file));

const location = (ws: Workspace, o: Occurrence): Location => ({ uri: uriOf(ws, o.span.file), range: toRange(o.span) });

export function definition(ws: Workspace, path: string, offset: number): Location[] {
  const o = ws.index.at(path, offset);
  if (!o) return [];
  return ws.index.declarations(o.kind, o.name).map((d) => location(ws, d));
}

export function references(ws: Workspace, path: string, offset: number, includeDeclaration: boolean): Location[] {
  const o = ws.index.at(path, offset);
  if (!o) return [];
  return ws.index.sameSymbol(o).filter((x) => includeDeclaration || !x.declaration).map((x) => location(ws, x));
}

/** The name under the cursor, if it can be renamed (images and fragments). */
export function renameTarget(ws: Workspace, path: string, offset: number): Occurrence | undefined {
  const o = ws.index.at(path, offset);
  if (!o || (o.kind !== 'image' && o.kind !== 'fragment')) return undefined;
  // A name that is used but never declared is a mistake to fix, not a symbol to rename.
  return ws.index.declarations(o.kind, o.name).length ? o : undefined;
}

export class RenameError extends Error {}

export function rename(ws: Workspace, path: string, offset: number, newName: string): WorkspaceEdit {
  const o = renameTarget(ws, path, offset);
  if (!o) throw new RenameError('only images and fragments declared in the definitions can be renamed');
  if (!IDENT.test(newName)) throw new RenameError(`\`${newName}\` is not a valid name: lower-case letters, digits and "-", starting with a letter`);
  if (newName !== o.name && ws.index.declarations(o.kind, newName).length) throw new RenameError(`an image or fragment named \`${newName}\` already exists`);
  const changes: Record<string, TextEdit[]> = {};
  for (const x of ws.index.sameSymbol(o)) (changes[uriOf(ws, x.span.file)] ??= []).push({ range: toRange(x.span), newText: newName });
  return { changes };
}

const BLOCK_KIND: Record<string, LspSymbolKind> = { post: LspSymbolKind.Function, config: LspSymbolKind.Object, naming: LspSymbolKind.Key, kickstart: LspSymbolKind.Object, assert: LspSymbolKind.Boolean };

export function documentSymbols(ws: Workspace, path: string): DocumentSymbol[] {
  const file = ws.file(path);
  if (!file) return [];
  const decls = ws.index.inFile(path).filter((o) => o.declaration && o.full);
  return decls.map((d) => {
    const st = file.nodes.find((n) => n.kind === 'statement' && n.span.offset === d.full!.offset);
    const children = st && st.kind === 'statement' && st.block ? blockSymbols(st.block.nodes) : [];
    return DocumentSymbol.create(d.name, d.kind, LSP_KIND[d.kind], toRange(d.full!), toRange(d.span), children);
  });
}

function blockSymbols(nodes: Node[]): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const n of nodes) {
    if (n.kind === 'when') {
      out.push(...blockSymbols(n.then.nodes), ...blockSymbols(n.otherwise?.nodes ?? []));
    } else if (n.block && BLOCK_KIND[n.name]) {
      out.push(DocumentSymbol.create(n.name, undefined, BLOCK_KIND[n.name]!, toRange(n.span), toRange(n.nameSpan)));
    }
  }
  return out;
}

export function workspaceSymbols(ws: Workspace, query: string): SymbolInformation[] {
  const q = query.toLowerCase();
  const matches = (name: string) => {
    // Letters of the query in order (the usual fuzzy match of workspace symbol search).
    let i = 0;
    for (const ch of name.toLowerCase()) if (ch === q[i]) i++;
    return i === q.length;
  };
  return ws.index
    .all()
    .filter((o) => o.declaration && matches(o.name))
    .map((o) => ({ name: o.name, kind: LSP_KIND[o.kind], containerName: o.kind, location: location(ws, o) }));
}
