// Protocol robustness: malformed JSON-RPC, unknown methods, out-of-range positions and a 10 MB
// document. The server answers with an error or ignores the message, and keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompletionRequest, DefinitionRequest, DocumentFormattingRequest, DocumentSymbolRequest, HoverRequest, ReferencesRequest, RenameRequest } from 'vscode-languageserver-protocol';
import { copyProject, removeProject, startClient, type Transcript } from './client.js';

let t: Transcript;
let dir: string;
const MINIMAL = 'definitions/images/minimal.alma';

const raw = (body: string) => t.child.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
/** The server still answers (a request every server must handle). */
async function alive(): Promise<void> {
  const r = await t.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: t.uri(MINIMAL) } });
  expect(Array.isArray(r)).toBe(true);
  expect(t.child.exitCode).toBeNull();
}

beforeAll(async () => {
  dir = copyProject();
  t = await startClient(dir);
});
afterAll(async () => {
  await t?.stop();
  removeProject(dir);
});

describe('almac lsp robustness', () => {
  it('ignores a message that is not JSON, or not JSON-RPC', async () => {
    raw('{this is not json');
    raw('[1, 2, 3]');
    raw('{"jsonrpc": "2.0", "id": 99, "method": 42}');
    raw('{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": 7}}');
    raw('{"jsonrpc": "2.0", "id": 100, "method": "textDocument/hover", "params": null}');
    await alive();
  });

  it('answers an unknown method with MethodNotFound, and ignores an unknown notification', async () => {
    await expect(t.conn.sendRequest('almac/noSuchMethod', { x: 1 })).rejects.toMatchObject({ code: -32601 });
    await t.conn.sendNotification('almac/noSuchNotification', {});
    await alive();
  });

  it('answers requests at positions outside the document, or for documents it does not know', async () => {
    await t.open(MINIMAL, '# nothing\n');
    const far = { line: 100_000, character: 100_000 };
    const neg = { line: -5, character: -1 };
    for (const position of [far, neg]) {
      for (const uri of [t.uri(MINIMAL), t.uri('definitions/none.alma'), 'untitled:Untitled-1', 'not a uri']) {
        const doc = { textDocument: { uri }, position };
        await t.conn.sendRequest(HoverRequest.type, doc).catch((e: { code: number }) => expect(e.code).toBeLessThan(0));
        await t.conn.sendRequest(CompletionRequest.type, doc).catch((e: { code: number }) => expect(e.code).toBeLessThan(0));
        await t.conn.sendRequest(DefinitionRequest.type, doc).catch((e: { code: number }) => expect(e.code).toBeLessThan(0));
        await t.conn.sendRequest(ReferencesRequest.type, { ...doc, context: { includeDeclaration: true } }).catch((e: { code: number }) => expect(e.code).toBeLessThan(0));
        await t.conn.sendRequest(RenameRequest.type, { ...doc, newName: 'x' }).catch((e: { code: number }) => expect(e.code).toBeLessThan(0));
      }
    }
    await alive();
  });

  it('declines to check a 10 MB document as it is typed, says so, and keeps answering', async () => {
    const big = 'definitions/images/big.alma';
    const line = 'image big { install [bash, "x y"] }   # ' + 'x'.repeat(60) + '\n';
    const text = line.repeat(Math.ceil(10_000_000 / line.length));
    expect(text.length).toBeGreaterThanOrEqual(10_000_000);
    const got = t.nextDiagnostics(t.uri(big), (ds) => ds.length > 0, 60_000);
    await t.open(big, text);
    const ds = await got;
    expect(ds).toHaveLength(1);
    expect(ds[0]!.message).toContain('too large to check as you type');
    await expect(t.conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: t.uri(big) }, options: { tabSize: 2, insertSpaces: true } })).rejects.toThrow(/too large/);
    expect(await t.conn.sendRequest(HoverRequest.type, { textDocument: { uri: t.uri(big) }, position: { line: 5, character: 3 } })).toBeNull();
    expect(await t.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: t.uri(big) }, position: { line: 5, character: 3 } })).toEqual([]);
    await alive();
    // Shrunk below the limit, it is checked again (here: a duplicate of nothing, so clean).
    const clean = t.nextDiagnostics(t.uri(big), (d) => d.length === 0, 60_000);
    await t.change(big, 'image big {\n  install bash\n}\n', 2);
    await clean;
  }, 120_000);
});
