// Scratch directories (src/util/scratch.ts): a run killed with its scratch space in use leaves it,
// and the next run removes it, knowing runs by PID and start time; a live run's is never touched.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRunScratch, processStartTime, reapDeadRuns } from '../../src/util/scratch.js';

const DIST_SCRATCH = resolve(__dirname, '../../dist/util/scratch.js');
const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'almac-scratch-test-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A process that has ended, with the start time it had. */
function deadProcess(): { pid: number; start: string } {
  const r = spawnSync('sh', ['-c', 'echo $$ $(cut -d" " -f22 /proc/$$/stat)'], { encoding: 'utf8' });
  const [pid, start] = r.stdout.trim().split(' ');
  return { pid: Number(pid), start: start! };
}

/**
 * Runs `code` in a fresh Node with TMPDIR set (and XDG_RUNTIME_DIR only when `runtime` is given),
 * scratchDir in scope; returns its stdout.
 */
function node(tmp: string, code: string, runtime?: string): { stdout: string; signal: NodeJS.Signals | null } {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
  delete env['XDG_RUNTIME_DIR'];
  if (runtime) env['XDG_RUNTIME_DIR'] = runtime;
  const r = spawnSync('node', ['--input-type=module', '-e', `import { scratchDir } from ${JSON.stringify(DIST_SCRATCH)};\n${code}`], { encoding: 'utf8', env });
  return { stdout: r.stdout, signal: r.signal };
}

describe('scratch directories', () => {
  it('knows a process by its start time', () => {
    expect(processStartTime(process.pid)).toMatch(/^\d+$/);
    expect(processStartTime(deadProcess().pid)).toBeUndefined();
  });

  it('removes the run directories of dead runs and of recycled PIDs, never a live run\'s or anything outside', () => {
    const parent = temp();
    const dead = deadProcess();
    const live = `run-${process.pid}-${processStartTime(process.pid)}-abc`;
    for (const d of [`run-${dead.pid}-${dead.start}-x1`, `run-${process.pid}-1-recycled`, 'stray', live]) mkdirSync(join(parent, d, 'inner'), { recursive: true });
    expect(reapDeadRuns(parent)).toBe(3);
    expect(readdirSync(parent)).toEqual([live]);
    expect(reapDeadRuns(join(parent, 'missing'))).toBe(0);

    const run = openRunScratch(parent);
    expect(run.reaped).toBe(0);
    const a = run.make('root-');
    expect(a.startsWith(run.path)).toBe(true);
    run.dispose();
    expect(existsSync(run.path)).toBe(false);
    expect(readdirSync(parent), 'a live run keeps the parent').toEqual([live]);
    rmSync(join(parent, live), { recursive: true });
    const last = openRunScratch(parent);
    last.dispose();
    expect(existsSync(parent)).toBe(false);
  });

  it('a process killed with scratch space in use leaves it; the next one removes it, and its own at exit', () => {
    const tmp = temp();
    const killed = node(tmp, "console.log(scratchDir('oci-')); process.kill(process.pid, 'SIGKILL');");
    expect(killed.signal).toBe('SIGKILL');
    const left = killed.stdout.trim();
    const parent = join(tmp, `almac-${process.getuid!()}`);
    expect(left.startsWith(parent + '/run-')).toBe(true);
    expect(existsSync(left)).toBe(true);
    const next = node(tmp, "const d = scratchDir('git-index-'); console.log(d);");
    expect(next.signal).toBeNull();
    expect(existsSync(left)).toBe(false);
    expect(existsSync(next.stdout.trim())).toBe(false);
    expect(existsSync(parent), 'the empty parent is removed with the last run').toBe(false);
  });

  it('does not use a parent that is not the user\'s own private directory', () => {
    const tmp = temp();
    const elsewhere = temp();
    symlinkSync(elsewhere, join(tmp, `almac-${process.getuid!()}`));
    const viaLink = node(tmp, "console.log(scratchDir('oci-'));").stdout.trim();
    expect(viaLink.startsWith(join(tmp, 'almac-oci-'))).toBe(true);
    expect(readdirSync(elsewhere)).toEqual([]);
    rmSync(viaLink, { recursive: true, force: true });
    rmSync(join(tmp, `almac-${process.getuid!()}`));
    mkdirSync(join(tmp, `almac-${process.getuid!()}`));
    chmodSync(join(tmp, `almac-${process.getuid!()}`), 0o777);
    const open = node(tmp, "console.log(scratchDir('oci-'));").stdout.trim();
    expect(open.startsWith(join(tmp, 'almac-oci-'))).toBe(true);
    rmSync(open, { recursive: true, force: true });
  });

  it('when the name in the temporary directory is taken, uses the user\'s runtime directory, and reaps killed runs there', () => {
    const tmp = temp();
    const elsewhere = temp();
    symlinkSync(elsewhere, join(tmp, `almac-${process.getuid!()}`));
    const runtime = temp();
    chmodSync(runtime, 0o700);
    const parent = join(runtime, 'almac');
    const killed = node(tmp, "console.log(scratchDir('oci-')); process.kill(process.pid, 'SIGKILL');", runtime);
    expect(killed.signal).toBe('SIGKILL');
    const left = killed.stdout.trim();
    expect(left.startsWith(parent + '/run-')).toBe(true);
    expect(existsSync(left)).toBe(true);
    const next = node(tmp, "console.log(scratchDir('git-index-'));", runtime);
    expect(next.stdout.trim().startsWith(parent + '/run-')).toBe(true);
    expect(existsSync(left), 'the killed run\'s directory is reaped').toBe(false);
    expect(existsSync(parent), 'the empty parent is removed with the last run').toBe(false);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([`almac-${process.getuid!()}`]);
    // A runtime directory that is not private to the user is not used either.
    chmodSync(runtime, 0o755);
    const open = node(tmp, "console.log(scratchDir('oci-'));", runtime).stdout.trim();
    expect(open.startsWith(join(tmp, 'almac-oci-'))).toBe(true);
    rmSync(open, { recursive: true, force: true });
  });
});
