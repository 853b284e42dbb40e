// The scripted exchange: a real protocol client (vscode-jsonrpc with the protocol's types) talks to
// `almac lsp` over stdio, on a copy of the real definitions, the way an editor does.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentFormattingRequest,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DocumentSymbolRequest,
  FileChangeType,
  HoverRequest,
  ReferencesRequest,
  RenameRequest,
  WorkspaceSymbolRequest,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type DocumentSymbol,
  type Location,
  type MarkupContent,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { copyProject, removeProject, startClient, type Transcript } from './client.js';

const MINIMAL = 'definitions/images/minimal.alma';
let t: Transcript;
let dir: string;
let text: string;
let version = 1;

const labels = (r: CompletionItem[] | CompletionList | null) => (Array.isArray(r) ? r : (r?.items ?? [])).map((i) => i.label);
/** The position of the n-th occurrence of `needle` in text, plus `delta` characters. */
function pos(src: string, needle: string, delta = 0, nth = 0) {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = src.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`not found: ${needle}`);
  const o = i + delta;
  const before = src.slice(0, o);
  return { line: before.split('\n').length - 1, character: o - before.lastIndexOf('\n') - 1 };
}

beforeAll(async () => {
  dir = copyProject();
  text = readFileSync(join(dir, MINIMAL), 'utf8');
  t = await startClient(dir);
});
afterAll(async () => {
  await t?.stop();
  if (process.env['ALMAC_LSP_TRANSCRIPT']) writeFileSync(process.env['ALMAC_LSP_TRANSCRIPT'], t.log.join('\n') + '\n');
  removeProject(dir);
});

describe('almac lsp with a real client', () => {
  it('initializes with the capabilities an editor needs', () => {
    const c = t.init.capabilities;
    expect(t.init.serverInfo?.name).toBe('almac');
    for (const k of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'documentSymbolProvider', 'workspaceSymbolProvider', 'documentFormattingProvider', 'renameProvider', 'codeActionProvider', 'completionProvider'] as const) expect(c[k], k).toBeTruthy();
  });

  it('opens a clean definition without diagnostics', async () => {
    const clean = t.nextDiagnostics(t.uri(MINIMAL), (ds) => ds.length === 0);
    await t.open(MINIMAL, text);
    expect(await clean).toEqual([]);
  });

  let mistake: Diagnostic;
  it('reports a mistake typed into the buffer at its span, with the CLI code, message and hint', async () => {
    const typo = text.replace('  package-manager microdnf', '  package-manger microdnf');
    const got = t.nextDiagnostics(t.uri(MINIMAL), (ds) => ds.length > 0);
    await t.change(MINIMAL, typo, ++version);
    const ds = await got;
    expect(ds).toHaveLength(1);
    mistake = ds[0]!;
    expect(mistake.code).toBe('E201');
    expect(mistake.source).toBe('almac');
    expect(mistake.range).toEqual({ start: { line: 6, character: 2 }, end: { line: 6, character: 16 } });
    expect(mistake.message).toContain('unknown image statement `package-manger`');
    expect(mistake.message).toContain('help: did you mean `package-manager`?');
    text = typo;
  });

  it('offers the did-you-mean quick fix, and applying it clears the diagnostic', async () => {
    const actions = await t.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, range: mistake.range, context: { diagnostics: [mistake] } });
    t.log.push(`← codeAction ${JSON.stringify(actions)}`);
    expect(actions).toHaveLength(1);
    const fix = actions![0]! as { title: string; edit: WorkspaceEdit };
    expect(fix.title).toBe('Change to `package-manager`');
    const edit = fix.edit.changes![t.uri(MINIMAL)]![0]!;
    const lines = text.split('\n');
    const l = lines[edit.range.start.line]!;
    lines[edit.range.start.line] = l.slice(0, edit.range.start.character) + edit.newText + l.slice(edit.range.end.character);
    const fixed = lines.join('\n');
    const cleared = t.nextDiagnostics(t.uri(MINIMAL), (ds) => ds.length === 0);
    await t.change(MINIMAL, fixed, ++version);
    expect(await cleared).toEqual([]);
    text = fixed;
  });

  it('reports cross-file mistakes where they are written, with the CLI codes', async () => {
    const broken = text.replace('use krb5-langs', 'use krb5-lang');
    const got = t.nextDiagnostics(t.uri(MINIMAL), (ds) => ds.length > 0);
    await t.change(MINIMAL, broken, ++version);
    const ds = await got;
    expect(ds.map((d) => d.code)).toEqual(['E231']);
    expect(ds[0]!.message).toContain('did you mean `krb5-langs`?');
    const cleared = t.nextDiagnostics(t.uri(MINIMAL), (d) => d.length === 0);
    await t.change(MINIMAL, text, ++version);
    await cleared;
  });

  it('an open buffer shadows the file on disk for the other files', async () => {
    // Renaming the fragment in its (unsaved) buffer breaks every image that uses it, on disk or not.
    const frag = 'definitions/fragments/common.alma';
    const fragText = readFileSync(join(dir, frag), 'utf8');
    const base = t.nextDiagnostics(t.uri('definitions/images/base.alma'), (ds) => ds.some((d) => d.code === 'E231'));
    await t.open(frag, fragText.replace('fragment krb5-langs', 'fragment krb5-languages'));
    const ds = await base;
    expect(ds.find((d) => d.code === 'E231')!.message).toContain('krb5-langs');
    const clear = t.nextDiagnostics(t.uri('definitions/images/base.alma'), (d) => d.length === 0);
    await t.conn.sendNotification('textDocument/didChange', { textDocument: { uri: t.uri(frag), version: 2 }, contentChanges: [{ text: fragText }] });
    await clear;
  });

  it('follows files created, changed and deleted on disk, and the disk version after a buffer is closed', async () => {
    const extra = 'definitions/images/extra.alma';
    const got = t.nextDiagnostics(t.uri(extra), (ds) => ds.some((d) => d.code === 'E231'));
    writeFileSync(join(dir, extra), 'image extra extends base {\n  releases [9]\n  use no-such-fragment\n}\n');
    await t.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: t.uri(extra), type: FileChangeType.Created }] });
    await got;
    const gone = t.nextDiagnostics(t.uri(extra), (ds) => ds.length === 0);
    rmSync(join(dir, extra));
    await t.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: t.uri(extra), type: FileChangeType.Deleted }] });
    await gone;
    // A mistake in an unsaved buffer goes away when the buffer is closed (the file on disk is clean).
    const micro = 'definitions/images/micro.alma';
    const microText = readFileSync(join(dir, micro), 'utf8');
    const bad = t.nextDiagnostics(t.uri(micro), (ds) => ds.length > 0);
    await t.open(micro, microText.replace('image micro {', 'image micro {\n  instal bash'));
    await bad;
    const closed = t.nextDiagnostics(t.uri(micro), (ds) => ds.length === 0);
    await t.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: t.uri(micro) } });
    await closed;
  });

  it('hovers: the reference for a keyword, the per-release summary for an image, the uses of a fragment', async () => {
    const kw = await t.conn.sendRequest(HoverRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, position: pos(text, 'symlink /etc/systemd', 2) });
    expect((kw!.contents as MarkupContent).value).toContain('creates (or replaces) a symbolic link');
    const img = await t.conn.sendRequest(HoverRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, position: pos(text, 'image minimal', 8) });
    const v = (img!.contents as MarkupContent).value;
    t.log.push(`← hover image minimal ${JSON.stringify(v.slice(0, 400))}`);
    for (const r of ['8/minimal', '9/minimal', '10/minimal', '10-kitten/minimal']) expect(v).toContain(`**${r}**`);
    expect(v).toContain('microdnf');
    expect(v).toContain('cmd ["/bin/bash"]');
    const frag = await t.conn.sendRequest(HoverRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, position: pos(text, 'use krb5-langs', 6) });
    const fv = (frag!.contents as MarkupContent).value;
    expect(fv).toMatch(/Used \d+ times/);
    expect(fv).toContain('definitions/images/base.alma');
  });

  it('goes to a definition in another file, and finds its references', async () => {
    const defs = (await t.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, position: pos(text, 'use image-defaults', 5) })) as Location[];
    expect(defs).toHaveLength(1);
    expect(defs[0]!.uri).toBe(t.uri('definitions/fragments/common.alma'));
    const target = readFileSync(join(dir, 'definitions/fragments/common.alma'), 'utf8').split('\n')[defs[0]!.range.start.line]!;
    expect(target.slice(defs[0]!.range.start.character, defs[0]!.range.end.character)).toBe('image-defaults');
    const rel = (await t.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, position: pos(text, 'when release = 8', 15) })) as Location[];
    expect(rel[0]!.uri).toBe(t.uri('definitions/platforms-and-releases.alma'));
    const refs = await t.conn.sendRequest(ReferencesRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, position: pos(text, 'use image-defaults', 5), context: { includeDeclaration: false } });
    expect(new Set(refs!.map((r) => r.uri.replace(/.*\//, '')))).toEqual(new Set(['base.alma', 'default.alma', 'micro.alma', 'minimal.alma']));
  });

  it('lists symbols for the outline and the workspace', async () => {
    const doc = (await t.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: t.uri(MINIMAL) } })) as DocumentSymbol[];
    expect(doc.map((s) => s.name)).toEqual(['minimal']);
    expect(doc[0]!.children!.map((c) => c.name)).toEqual(['post', 'post', 'config', 'assert']);
    const ws = await t.conn.sendRequest(WorkspaceSymbolRequest.type, { query: 'krb' });
    expect((ws as { name: string }[]).map((s) => s.name)).toContain('krb5-langs');
  });

  it('completes statement keywords inside `post {`, and declared releases in a `when release` condition', async () => {
    const inPost = text.replace('    mkdir /run/lock\n', '    mkdir /run/lock\n    sy\n');
    await t.change(MINIMAL, inPost, ++version);
    const ops = labels(await t.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, position: pos(inPost, '    sy\n', 6) }));
    expect(ops).toEqual(expect.arrayContaining(['symlink', 'mkdir', 'remove', 'replace', 'write', 'when']));
    expect(ops).not.toContain('package-manager');
    const inCond = text.replace('  when release = 8 {', '  when release = 1 {');
    await t.change(MINIMAL, inCond, ++version);
    const rels = labels(await t.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, position: pos(inCond, 'when release = 1', 16) }));
    expect(rels.sort()).toEqual(['10', '10-kitten', '8', '9']);
    const plat = labels(await t.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, position: pos(text, '    when release = 8 {', 9) }));
    expect(plat).toEqual(expect.arrayContaining(['release', 'platform']));
    const cleared = t.nextDiagnostics(t.uri(MINIMAL), (d) => d.length === 0);
    await t.change(MINIMAL, text, ++version);
    await cleared;
  });

  it('formats through almac fmt, and refuses a file it cannot format with a message', async () => {
    const messy = text.replace('  ubi minimal', '      ubi    minimal');
    await t.change(MINIMAL, messy, ++version);
    const edits = (await t.conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toBe(text);
    const broken = text.replace('  ubi minimal', '  ubi "minimal');
    await t.change(MINIMAL, broken, ++version);
    await expect(t.conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, options: { tabSize: 2, insertSpaces: true } })).rejects.toThrow(/almac fmt left the file unchanged: definitions\/images\/minimal\.alma:4:/);
    await t.change(MINIMAL, text, ++version);
  });

  it('renames a fragment across files', async () => {
    const edit = await t.conn.sendRequest(RenameRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, position: pos(text, 'use image-defaults', 6), newName: 'image-basics' });
    const files = Object.keys(edit!.changes!).map((u) => u.replace(/.*\/definitions\//, ''));
    expect(files.sort()).toEqual(['fragments/common.alma', 'images/base.alma', 'images/default.alma', 'images/micro.alma', 'images/minimal.alma']);
    for (const es of Object.values(edit!.changes!)) for (const e of es) expect(e.newText).toBe('image-basics');
    await expect(t.conn.sendRequest(RenameRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, position: pos(text, 'use image-defaults', 6), newName: 'krb5-langs' })).rejects.toThrow(/already exists/);
    await expect(t.conn.sendRequest(RenameRequest.type, { textDocument: { uri: t.uri(MINIMAL) }, position: pos(text, 'use image-defaults', 6), newName: 'Bad Name' })).rejects.toThrow(/not a valid name/);
  });
});
