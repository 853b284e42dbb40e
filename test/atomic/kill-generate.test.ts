// scripts/kill-generate.mjs with a few trials (`npm run test:kill` runs the full 200 per mode):
// `almac generate`, and a process that only swaps trees, SIGKILLed at random moments; generated/
// must always be wholly the old or wholly the new tree, and the next run must finish the job.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/project.js';

interface ModeResult {
  trials: number;
  old: number;
  new: number;
  missing: number;
  mixed: number;
  failures: string[];
}

it('generated/ is never mixed or missing, wherever generate is killed', () => {
  const trials = 3;
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'kill-generate.mjs'), '--trials', String(trials), '--seed', '7', '--json'], { encoding: 'utf8' });
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { atomic: boolean; cli: ModeResult; swap: ModeResult };
  expect(r.stderr).toBe('');
  for (const mode of [summary.cli, summary.swap]) {
    expect(mode.failures).toEqual([]);
    expect(mode.trials).toBe(trials);
    expect(mode.mixed).toBe(0);
    // Where directories can be exchanged atomically, generated/ is never absent, even for a moment.
    if (summary.atomic) expect(mode.missing).toBe(0);
    expect(mode.old + mode.new + mode.missing).toBe(trials);
  }
  expect(r.status).toBe(0);
});
