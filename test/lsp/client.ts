// A real protocol client for the tests: vscode-jsonrpc over the stdio of `almac lsp`, started in a
// temporary copy of the project, with the protocol's own request and notification types.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { InitializeRequest, InitializedNotification, PublishDiagnosticsNotification, DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, ExitNotification, ShutdownRequest, type Diagnostic, type InitializeResult } from 'vscode-languageserver-protocol';
import { REPO_ROOT as REPO } from '../helpers/paths.js';

export interface Transcript {
  dir: string;
  uri(rel: string): string;
  conn: MessageConnection;
  child: ChildProcess;
  /** Every message, in order, as "→ method" / "← method" lines with their JSON (for reports). */
  log: string[];
  init: InitializeResult;
  startupMs: number;
  diagnostics: Map<string, Diagnostic[]>;
  /** Resolves with the next publishDiagnostics for uri that satisfies test. */
  nextDiagnostics(uri: string, test?: (ds: Diagnostic[]) => boolean, timeoutMs?: number): Promise<Diagnostic[]>;
  open(rel: string, text: string): Promise<void>;
  change(rel: string, text: string, version: number): Promise<void>;
  stop(): Promise<void>;
  stderr: () => string;
}

/** Copies definitions/ (and what else `files` names) into a temporary project. */
export function copyProject(files: string[] = ['definitions']): string {
  const dir = mkdtempSync(join(tmpdir(), 'almac-lsp-'));
  for (const f of files) cpSync(join(REPO, f), join(dir, f), { recursive: true });
  return dir;
}

export async function startClient(dir: string): Promise<Transcript> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(REPO, 'bin/almac.js'), 'lsp', '--stdio'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b) => (stderr += String(b)));
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const log: string[] = [];
  const diagnostics = new Map<string, Diagnostic[]>();
  const waiters: { uri: string; test: (ds: Diagnostic[]) => boolean; resolve: (ds: Diagnostic[]) => void }[] = [];
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    log.push(`← textDocument/publishDiagnostics ${JSON.stringify(p)}`);
    diagnostics.set(p.uri, p.diagnostics);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.test(p.diagnostics)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  conn.onNotification(() => undefined);
  conn.onRequest(() => null); // window/showMessageRequest, workspace/configuration, …
  conn.listen();
  const uri = (rel: string) => pathToFileURL(join(dir, rel)).href;
  const init = await conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {}, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'project' }] });
  const startupMs = performance.now() - t0;
  await conn.sendNotification(InitializedNotification.type, {});
  const t: Transcript = {
    dir,
    uri,
    conn,
    child,
    log,
    init,
    startupMs,
    diagnostics,
    nextDiagnostics(u, test = () => true, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${u} within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        waiters.push({ uri: u, test, resolve: (ds) => (clearTimeout(timer), resolve(ds)) });
      });
    },
    async open(rel, text) {
      log.push(`→ textDocument/didOpen ${rel}`);
      await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uri(rel), languageId: 'alma', version: 1, text } });
    },
    async change(rel, text, version) {
      log.push(`→ textDocument/didChange ${rel} (v${version})`);
      await conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: uri(rel), version }, contentChanges: [{ text }] });
    },
    async stop() {
      try {
        await Promise.race([conn.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 5000))]);
        await conn.sendNotification(ExitNotification.type);
      } catch {
        // already gone
      }
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => (clearTimeout(timer), resolve()));
      });
      conn.dispose();
    },
    stderr: () => stderr,
  };
  return t;
}

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
