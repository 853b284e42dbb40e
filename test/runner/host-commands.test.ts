// Host commands of a build job (the kickstart route's dnf, tar, gpg) keep their temporary files in
// the job's own work directory. dnf makes a file in $TMPDIR for each transaction; one killed with
// almac left it in /tmp (an empty `tmpXXXXXXXX` after the runner's fault test), where nothing can
// tell it from another program's. The work directory is removed with the job, or by the next run.
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobContext, type JobPlan } from '../../src/runner/job.js';
import type { Engine } from '../../src/runner/engine/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function context(dryRun: boolean, printed: string[] = []): { ctx: JobContext; workDir: string } {
  const outDir = mkdtempSync(join(tmpdir(), 'almac-host-cmd-'));
  dirs.push(outDir);
  const workDir = join(outDir, 'work');
  const plan = { key: 'k', label: 'k', outDir, workDir, logFile: join(outDir, 'build.log') } as unknown as JobPlan;
  const ctx = new JobContext(plan, {} as Engine, new AbortController().signal, dryRun, () => {}, (t) => printed.push(t));
  return { ctx, workDir };
}

describe('host commands of a job', () => {
  it('run with TMPDIR in the job\'s work directory, with or without an environment of their own', async () => {
    const { ctx, workDir } = context(false);
    const plain = await ctx.hostCmd(['sh', '-c', 'printf %s "$TMPDIR"']);
    expect(plain.stdout).toBe(join(workDir, 'tmp'));
    const withEnv = await ctx.hostCmd(['sh', '-c', 'printf "%s %s" "$TMPDIR" "$HOME"'], { env: { HOME: '/nowhere' } });
    expect(withEnv.stdout).toBe(`${join(workDir, 'tmp')} /nowhere`);
    const clean = await ctx.hostCmd(['/bin/sh', '-c', 'printf %s "$TMPDIR"'], { env: { PATH: '/usr/bin:/bin' }, cleanEnv: true });
    expect(clean.stdout).toBe(join(workDir, 'tmp'));
  });

  it('leave nothing in the system temporary directory: a file made with mktemp lands in the work directory', async () => {
    const { ctx, workDir } = context(false);
    const before = new Set(readdirSync(tmpdir()));
    const r = await ctx.hostCmd(['sh', '-c', 'mktemp']);
    expect(r.stdout.trim().startsWith(join(workDir, 'tmp') + '/')).toBe(true);
    expect(existsSync(r.stdout.trim())).toBe(true);
    expect(readdirSync(tmpdir()).filter((n) => !before.has(n) && n.startsWith('tmp.'))).toEqual([]);
  });

  it('show the TMPDIR in a dry run, made once by the script, and create nothing', async () => {
    const printed: string[] = [];
    const { ctx, workDir } = context(true, printed);
    await ctx.hostCmd(['dnf', 'install', 'bash'], { env: { HOME: '/h' } });
    await ctx.hostCmd(['tar', '-cf', 'x.tar', '.']);
    const tmp = join(workDir, 'tmp');
    expect(printed).toEqual([`mkdir -p ${tmp}`, `env HOME=/h TMPDIR=${tmp} dnf install bash`, `env TMPDIR=${tmp} tar -cf x.tar .`]);
    expect(existsSync(workDir)).toBe(false);
  });
});
