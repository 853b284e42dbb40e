// `almac lsp`: the Language Server Protocol over stdio. Every answer comes from the compiler's own
// phases (workspace.ts runs them incrementally); this file maps requests to them and back.
import { isAbsolute } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  ErrorCodes,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type CodeAction,
  type CompletionItem,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type InitializeResult,
} from 'vscode-languageserver/node';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatSource } from '../format/format.js';
import { completionContext } from './completion.js';
import { hoverText, wordAt } from './hover.js';
import { RenameError, definition, documentSymbols, references, rename, renameTarget, uriOf, workspaceSymbols } from './navigation.js';
import { offsetOf, toRange, uriToPath } from './positions.js';
import { languageReference } from './reference.js';
import { Workspace, projectRootOf } from './workspace.js';

/** The replacement a did-you-mean hint proposes. */
const suggestion = (text: string | undefined) => /did you mean `([^`]+)`\?/.exec(text ?? '')?.[1];

export function toLspDiagnostic(ws: Workspace, d: Diagnostic): LspDiagnostic {
  const message = [d.message, d.expected && `expected: ${d.expected}`, d.hint && `help: ${d.hint}`].filter(Boolean).join('\n');
  const replacement = suggestion(d.hint);
  return {
    range: toRange(d.span),
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: 'almac',
    message,
    ...(d.related?.length ? { relatedInformation: d.related.map((r) => ({ message: r.message, location: { uri: uriOf(ws, r.span.file), range: toRange(r.span) } })) } : {}),
    ...(replacement ? { data: { replacement } } : {}),
  };
}

/**
 * Buffers larger than this are not checked as they are typed: the compiler takes seconds per
 * megabyte, and the server would stop answering meanwhile. Real definitions are a few kilobytes.
 */
export const LIVE_CHECK_LIMIT = 1_000_000;

function tooLargeNotice(size: number): LspDiagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Warning,
    source: 'almac',
    message: `this file is too large to check as you type (${(size / 1e6).toFixed(1)} MB; the limit is ${LIVE_CHECK_LIMIT / 1e6} MB)\nhelp: run \`almac check\` in a terminal; definitions are usually a few kilobytes`,
  };
}

export interface ServerOptions {
  /** Used when the client names no workspace folder and a file lies in no project. */
  root: string;
}

export function startServer(opts: ServerOptions, connection: Connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout)): Connection {
  const documents = new TextDocuments(TextDocument);
  const workspaces = new Map<string, Workspace>();
  const published = new Map<Workspace, Set<string>>();
  let folders: string[] = [];
  let pending = new Set<Workspace>();
  let scheduled = false;
  /** Open documents over LIVE_CHECK_LIMIT: uri → size. */
  const oversize = new Map<string, number>();

  const log = (m: string) => connection.console.log(m);
  const workspaceAt = (root: string) => {
    let ws = workspaces.get(root);
    if (!ws) {
      ws = new Workspace(root);
      workspaces.set(root, ws);
      log(`almac: project ${root} (${ws.snapshot.files.size} definition files)`);
    }
    return ws;
  };
  /** The workspace of a document, and the document's key in it (project path or absolute path). */
  const locate = (uri: string): { ws: Workspace; key: string; abs: string } | undefined => {
    const abs = uriToPath(uri);
    if (!abs || !isAbsolute(abs)) return undefined;
    const root = projectRootOf(abs) ?? folders.find((f) => abs.startsWith(f + '/')) ?? opts.root;
    const ws = workspaceAt(root);
    return { ws, key: ws.projectPath(abs) ?? abs, abs };
  };

  const publish = (ws: Workspace) => {
    const before = published.get(ws) ?? new Set<string>();
    const now = new Set<string>();
    for (const [uri, size] of oversize) {
      if (locate(uri)?.ws !== ws) continue;
      now.add(uri);
      void connection.sendDiagnostics({ uri, diagnostics: [tooLargeNotice(size)] });
    }
    for (const [file, ds] of ws.diagnosticsByFile()) {
      const uri = uriOf(ws, file);
      if (oversize.has(uri)) continue;
      now.add(uri);
      void connection.sendDiagnostics({ uri, diagnostics: ds.map((d) => toLspDiagnostic(ws, d)) });
    }
    // Files that became clean, and open files that are clean (an editor wants an answer for each).
    const clean = new Set([...before, ...documents.keys().filter((u) => locate(u)?.ws === ws)]);
    for (const uri of clean) if (!now.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
    published.set(ws, now);
  };
  const refreshSoon = (ws: Workspace) => {
    pending.add(ws);
    if (scheduled) return;
    scheduled = true;
    // Coalesces a burst of changes (typing, a multi-file edit) into one compilation.
    setImmediate(() => {
      scheduled = false;
      const todo = pending;
      pending = new Set();
      for (const w of todo) {
        try {
          w.refresh();
          publish(w);
        } catch (e) {
          log(`almac: internal error while checking: ${(e as Error).stack ?? e}`);
        }
      }
    });
  };

  /** Runs a request handler; an internal failure becomes an error response, never a crash. */
  const guard =
    <P, R>(fn: (p: P) => R) =>
    (p: P): R | ResponseError<void> => {
      try {
        return fn(p);
      } catch (e) {
        if (e instanceof ResponseError) return e;
        if (e instanceof RenameError) return new ResponseError(ErrorCodes.InvalidRequest, e.message);
        log(`almac: internal error: ${(e as Error).stack ?? e}`);
        return new ResponseError(ErrorCodes.InternalError, `almac: ${(e as Error).message}`);
      }
    };
  /** The document, its workspace and the offset of a position, or undefined for unknown documents. */
  const at = (uri: string, pos?: { line: number; character: number }) => {
    const doc = documents.get(uri);
    const loc = locate(uri);
    if (!loc || oversize.has(uri)) return undefined;
    const text = doc?.getText() ?? loc.ws.text(loc.key) ?? '';
    const offset = pos ? offsetOf(text, Math.max(0, pos.line), Math.max(0, pos.character)) : 0;
    return { ...loc, text, offset };
  };

  connection.onInitialize((params): InitializeResult => {
    folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => Boolean(p));
    const rootUri = params.rootUri ? uriToPath(params.rootUri) : undefined;
    if (rootUri && !folders.length) folders = [rootUri];
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        completionProvider: { triggerCharacters: [' ', '[', ','] },
        documentFormattingProvider: true,
        renameProvider: { prepareProvider: true },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'almac' },
    };
  });
  // The projects are compiled after the initialize response, so the editor is not kept waiting.
  connection.onInitialized(() => {
    for (const f of folders) publish(workspaceAt(projectRootOf(f + '/x') ?? f));
  });

  documents.onDidChangeContent((e) => {
    const loc = locate(e.document.uri);
    if (!loc) return;
    const text = e.document.getText();
    if (text.length > LIVE_CHECK_LIMIT) {
      // The file on disk (if any) keeps counting for the rest of the project.
      oversize.set(e.document.uri, text.length);
      loc.ws.closeBuffer(loc.abs);
    } else {
      oversize.delete(e.document.uri);
      loc.ws.setBuffer(loc.abs, text);
    }
    refreshSoon(loc.ws);
  });
  documents.onDidClose((e) => {
    const loc = locate(e.document.uri);
    if (!loc) return;
    loc.ws.closeBuffer(loc.abs);
    oversize.delete(e.document.uri);
    if (isAbsolute(loc.key)) void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    loc.ws.reloadFile(loc.abs);
    refreshSoon(loc.ws);
  });
  documents.onDidSave((e) => {
    const loc = locate(e.document.uri);
    if (!loc) return;
    loc.ws.reloadFile(loc.abs);
    refreshSoon(loc.ws);
  });
  connection.onDidChangeWatchedFiles((p) => {
    for (const c of p.changes) {
      const loc = locate(c.uri);
      if (!loc) continue;
      if (loc.ws.projectPath(loc.abs)) loc.ws.reloadFile(loc.abs);
      else loc.ws.reloadDisk(); // a directory, or generated/locks/: re-read everything
      refreshSoon(loc.ws);
    }
  });

  connection.onHover(
    guard((p) => {
      const a = at(p.textDocument.uri, p.position);
      if (!a) return null;
      const h = hoverText(a.ws, a.key, a.text, a.offset);
      return h ? { contents: { kind: 'markdown' as const, value: h.markdown }, ...(h.span ? { range: toRange(h.span) } : {}) } : null;
    }),
  );
  connection.onDefinition(
    guard((p) => {
      const a = at(p.textDocument.uri, p.position);
      return a ? definition(a.ws, a.key, a.offset) : [];
    }),
  );
  connection.onReferences(
    guard((p) => {
      const a = at(p.textDocument.uri, p.position);
      return a ? references(a.ws, a.key, a.offset, p.context?.includeDeclaration !== false) : [];
    }),
  );
  connection.onDocumentSymbol(
    guard((p) => {
      const a = at(p.textDocument.uri);
      return a ? documentSymbols(a.ws, a.key) : [];
    }),
  );
  connection.onWorkspaceSymbol(guard((p) => [...workspaces.values()].flatMap((ws) => workspaceSymbols(ws, String(p.query ?? '')))));

  connection.onCompletion(
    guard((p) => {
      const a = at(p.textDocument.uri, p.position);
      if (!a) return [];
      const ctx = completionContext(a.text, a.offset);
      const word = wordAt(a.text, a.offset);
      const range = word && word.start < a.offset ? { start: positionAt(a.text, word.start), end: positionAt(a.text, a.offset) } : undefined;
      const item = (label: string, kind: CompletionItemKind, detail?: string): CompletionItem => {
        const doc = kind === CompletionItemKind.Keyword ? languageReference().get(label)?.[0] : undefined;
        return {
          label,
          kind,
          ...(detail ? { detail } : {}),
          ...(doc ? { documentation: { kind: 'markdown' as const, value: doc.markdown } } : {}),
          ...(range ? { textEdit: { range, newText: label } } : {}),
        };
      };
      switch (ctx.kind) {
        case 'statement':
          return ctx.keywords.map((k) => item(k, CompletionItemKind.Keyword, `${ctx.block === 'body' ? 'image' : ctx.block} statement`));
        case 'names':
          return [...new Set(a.ws.index.declarations(ctx.of).filter((o) => o.kind === ctx.of).map((o) => o.name))].sort().map((n) => item(n, ctx.of === 'image' || ctx.of === 'fragment' ? CompletionItemKind.Module : CompletionItemKind.EnumMember, ctx.of));
        case 'packages':
          return a.ws.lockedPackages().map((n) => item(n, CompletionItemKind.Value, 'package (from generated/locks/)'));
        case 'choices':
        case 'condition':
          return ctx.values.map((v) => item(v, CompletionItemKind.Keyword));
        default:
          return [];
      }
    }),
  );

  connection.onDocumentFormatting(
    guard((p) => {
      if (oversize.has(p.textDocument.uri)) throw new ResponseError(LSPErrorCodes.RequestFailed, 'almac fmt left the file unchanged: it is too large to format in the editor; run `almac fmt FILE`');
      const a = at(p.textDocument.uri);
      if (!a) return null;
      const r = formatSource(a.key, a.text);
      if (r.text === undefined) {
        const d = r.diagnostics[0];
        const why = d ? `${d.span.file}:${d.span.line}:${d.span.col}: ${d.message}` : 'the file could not be formatted';
        const message = `almac fmt left the file unchanged: ${why}`;
        void connection.window.showErrorMessage(message);
        throw new ResponseError(LSPErrorCodes.RequestFailed, message);
      }
      if (r.text === a.text) return [];
      return [{ range: { start: { line: 0, character: 0 }, end: positionAt(a.text, a.text.length) }, newText: r.text }];
    }),
  );

  connection.onPrepareRename(
    guard((p) => {
      const a = at(p.textDocument.uri, p.position);
      const o = a && renameTarget(a.ws, a.key, a.offset);
      if (!o) throw new ResponseError(ErrorCodes.InvalidRequest, 'only images and fragments declared in the definitions can be renamed');
      return { range: toRange(o.span), placeholder: o.name };
    }),
  );
  connection.onRenameRequest(
    guard((p) => {
      const a = at(p.textDocument.uri, p.position);
      if (!a) return null;
      return rename(a.ws, a.key, a.offset, p.newName);
    }),
  );

  connection.onCodeAction(
    guard((p) => {
      const actions: CodeAction[] = [];
      for (const d of p.context.diagnostics) {
        const replacement = (d.data as { replacement?: unknown } | undefined)?.replacement ?? suggestion(typeof d.message === 'string' ? d.message : d.message.value);
        if (typeof replacement !== 'string') continue;
        actions.push({
          title: `Change to \`${replacement}\``,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: true,
          edit: { changes: { [p.textDocument.uri]: [{ range: d.range, newText: replacement }] } },
        });
      }
      return actions;
    }),
  );

  documents.listen(connection);
  connection.listen();
  return connection;
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, character: offset - start };
}
