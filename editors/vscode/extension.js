// The VS Code client: starts `almac lsp` (stdio) for .alma files and hands everything to it.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

/** The almac executable: the setting, else the workspace's node_modules/.bin/almac, else PATH. */
function almacCommand() {
  const configured = vscode.workspace.getConfiguration('almac').get('path');
  if (configured) return configured;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const local = join(folder.uri.fsPath, 'node_modules', '.bin', 'almac');
    if (existsSync(local)) return local;
  }
  return 'almac';
}

function activate(context) {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const run = { command: almacCommand(), args: ['lsp'], transport: TransportKind.stdio, options: folder ? { cwd: folder } : {} };
  client = new LanguageClient('almac', 'almac', { run, debug: run }, {
    documentSelector: [{ scheme: 'file', language: 'alma' }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/{definitions/**/*.alma,generated/locks/*.lock.json}') },
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
