// Running the real CLI as an unprivileged user. CI runs as root, and root is not denied by
// `chmod 000`, so tests of unreadable or read-only files run the CLI as `nobody` (setpriv drops
// to its uid and gid with no supplementary groups) on a project copy that user owns. When the
// tests themselves run unprivileged, the CLI simply runs as that user.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CLI } from '../helpers/paths.js';
import type { CliResult } from '../helpers/project.js';

const NOBODY = { uid: 65534, gid: 65534 };
const isRoot = process.getuid?.() === 0;

/** Whether this machine can drop to an unprivileged user at all (root with setpriv, or already unprivileged). */
export const canRunUnprivileged = !isRoot || spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']).status === 0;

/**
 * Makes a project copy usable by the unprivileged user: it owns the copy, and can search the
 * directory above it. That directory gets search permission added when it lacks it, and is never
 * the system's temporary directory itself (whose mode, 1777, must stay as it is).
 */
export function handToUnprivileged(root: string): void {
  if (!isRoot) return;
  const parent = dirname(root);
  if (parent !== tmpdir()) {
    const mode = statSync(parent).mode & 0o7777;
    if ((mode & 0o011) !== 0o011) chmodSync(parent, mode | 0o011);
  }
  const walk = (p: string) => {
    chownSync(p, NOBODY.uid, NOBODY.gid);
    if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(root);
}

/** bin/almac.js run as the unprivileged user (see above), without blocking. */
export function runCliUnprivileged(args: string[], opts: { timeoutMs?: number; privileged?: boolean } = {}): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  const unprivileged = isRoot && !opts.privileged;
  // A HOME of its own (the CLI keeps its code cache under it), removed when the run ends: the
  // system's temporary directory would be left holding a .cache of the unprivileged user's.
  const home = mkdtempSync(join(tmpdir(), 'almac-test-home-'));
  if (unprivileged) chownSync(home, NOBODY.uid, NOBODY.gid);
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HOME: home };
  delete env['FORCE_COLOR'];
  delete env['XDG_CACHE_HOME'];
  const argv = unprivileged ? ['setpriv', `--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups', process.execPath, CLI, ...args] : [process.execPath, CLI, ...args];
  return new Promise((resolve, reject) => {
    const done = () => rmSync(home, { recursive: true, force: true });
    const child = spawn(argv[0]!, argv.slice(1), { env, timeout: opts.timeoutMs ?? 30_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('close', (code, signal) => {
      done();
      resolve({ code, signal, stdout, stderr });
    });
  });
}
