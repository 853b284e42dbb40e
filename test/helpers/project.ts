// Shared test plumbing: where the project is, temporary copies of it, and running the real CLI.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll } from 'vitest';
import { replaceTree } from '../../src/output/generated-tree.js';
import { compileProject } from '../../src/project.js';
import { CLI, DEFINITIONS, GENERATED, REPO_ROOT } from './paths.js';

export { DEFINITIONS, GENERATED, REPO_ROOT };

/** Every file under dir, keyed by its "/"-separated path relative to dir, as raw bytes. */
export function readFilesBytes(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split(sep).join('/'), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** Every file under dir as UTF-8 text. */
export function readFiles(dir: string): Map<string, string> {
  return new Map([...readFilesBytes(dir)].map(([k, v]) => [k, v.toString('utf8')]));
}

/** The real definition sources, keyed as the compiler keys them ("definitions/…"). */
export function definitionSources(): Map<string, string> {
  return new Map([...readFiles(DEFINITIONS)].filter(([p]) => p.endsWith('.alma')).map(([p, t]) => [`definitions/${p}`, t]));
}

const tempDirs: string[] = [];
// Registered while the importing test file is collected; each test file gets its own module copy.
afterAll(() => tempDirs.splice(0).forEach((x) => rmSync(x, { recursive: true, force: true })));

/** A fresh empty directory, removed after the test file finishes. */
export function tempDir(prefix = 'almac-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

/** A temporary copy of the project's definitions/ and generated/, to run the CLI against. */
export function copyProject(): string {
  const d = tempDir();
  cpSync(DEFINITIONS, join(d, 'definitions'), { recursive: true });
  cpSync(GENERATED, join(d, 'generated'), { recursive: true });
  return d;
}

/** A temporary project with the real definitions/ and no generated/ yet. */
export function definitionsOnlyProject(): string {
  const d = tempDir();
  cpSync(DEFINITIONS, join(d, 'definitions'), { recursive: true });
  return d;
}

/**
 * A temporary project whose generated/ is freshly compiled from its definitions/ (by the compiler,
 * in-process), so CLI tests start from a tree that is clean by construction, independent of
 * whether the committed generated/ is up to date (the golden tests check that).
 */
export function freshProject(): string {
  const d = definitionsOnlyProject();
  const c = compileProject(d);
  if (!c.outputs) throw new Error(`the project's definitions do not compile:\n${c.diagnostics.map((x) => `${x.code} ${x.span.file}:${x.span.line}: ${x.message}`).join('\n')}`);
  replaceTree(join(d, 'generated'), c.outputs);
  return d;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs bin/almac.js as a user would, without blocking, so CLI tests can run concurrently.
 * NO_COLOR keeps diagnostics free of escape codes. `cli` runs another installation's bin/almac.js.
 */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; cli?: string } = {}): Promise<CliResult> {
  // NO_COLOR keeps escape codes out of the output; FORCE_COLOR would override it (and make node warn).
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...opts.env };
  delete env['FORCE_COLOR'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.cli ?? CLI, ...args], { cwd: opts.cwd ?? REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
