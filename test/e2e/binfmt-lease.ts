// qemu-user-static handlers for tests that run foreign binaries, safe when several test files run at
// once. A lease is a shared flock on WORK/binfmt.lock, held by a child `flock` process for as long
// as the test needs the handlers (the child exits, and the lock goes, when its stdin closes — also
// when this process is killed). The lease is taken before scripts/setup-binfmt.sh enables anything,
// and released before disabling, which waits for the lock exclusively: the handlers a test turned on
// are turned off only once no other lease holder is left, and only what that test turned on.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, WORK } from './build-env.js';

const LOCK = join(WORK, 'binfmt.lock');

function run(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((res) => execFile(cmd, args, (err, _out, stderr) => res({ code: err ? Number(err.code ?? 1) : 0, stderr })));
}

// Leases within one process share one holder (counted): a second lease taken while the first is held
// (a test that holds one calls ensureForeignBuilder, which takes its own) must not wait, on release,
// for the exclusive lock its own process holds shared.
let inProcess: { count: number; first: Promise<() => Promise<void>> } | undefined;

/** Enables the handlers under a lease recorded in `state`; resolves to the release function. */
export async function leaseBinfmt(state: string): Promise<() => Promise<void>> {
  if (!inProcess) inProcess = { count: 0, first: acquire(state) };
  const mine = inProcess;
  mine.count++;
  let realRelease: () => Promise<void>;
  try {
    realRelease = await mine.first;
  } catch (e) {
    if (--mine.count === 0 && inProcess === mine) inProcess = undefined;
    throw e;
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--mine.count > 0) return;
    if (inProcess === mine) inProcess = undefined;
    await realRelease();
  };
}

async function acquire(state: string): Promise<() => Promise<void>> {
  mkdirSync(WORK, { recursive: true });
  const holder = spawn('flock', ['-s', LOCK, 'sh', '-c', 'echo held; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    holder.stdout!.once('data', () => res());
    holder.once('exit', (code) => rej(new Error(`flock -s ${LOCK} exited ${code}`)));
  });
  const release = async () => {
    holder.stdin!.end();
    await new Promise((res) => (holder.exitCode !== null ? res(undefined) : holder.once('exit', res)));
    const r = await run('flock', ['-x', LOCK, 'bash', join(REPO_ROOT, 'scripts/setup-binfmt.sh'), 'disable', state]);
    if (r.code !== 0) throw new Error(`setup-binfmt.sh disable: ${r.stderr}`);
  };
  const r = await run('bash', [join(REPO_ROOT, 'scripts/setup-binfmt.sh'), 'enable', state]);
  if (r.code !== 0) {
    await release();
    throw new Error(`setup-binfmt.sh enable: ${r.stderr}`);
  }
  return release;
}
