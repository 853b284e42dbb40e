// `almac lsp`: the language server, over stdio, until the client says exit (or closes stdin).
import { startServer } from '../../lsp/server.js';

export function runLsp(opts: { root: string }): Promise<number> {
  // stdout carries the protocol; anything else printed there would corrupt it.
  console.log = console.error;
  console.info = console.error;
  process.on('uncaughtException', (e) => process.stderr.write(`almac lsp: internal error: ${e.stack ?? e}\n`));
  startServer({ root: opts.root });
  return new Promise((resolve) => process.stdin.on('close', () => resolve(0)));
}
