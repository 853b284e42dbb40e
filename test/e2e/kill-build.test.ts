// Fault injection: `almac build` is signalled (SIGINT, SIGTERM, SIGKILL in turn) at random moments of
// its phases — the Containerfile's dnf install and commit, verification, the kickstart route's dnf,
// %post and import — and after each kill the next run (which reaps what a killed run left, then skips
// the unchanged build) must leave 0 containers, working containers, image mounts, mounts, runc state,
// temporary files, scratch directories, processes and images without a name (a build's superseded
// image, when the kill came between the new image taking its tag and the old one's removal).
// 30 trials (every phase with every signal, 7 or 8 per phase; about 10 s each on 2 cores);
// ALMAC_KILL_TRIALS sets another number, and `npm run test:kill-build` runs this file alone.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { countLeaks, engineEnvVars, findLeftoversSync, PodmanEngine, enginePaths, mergeEnv, processesUsingSync } from '../../src/runner/engine/index.js';
import { almac, ensureBuildEnv, fixtureArgs, skipReason, startAlmac, STORE, storeEnv, tempDir } from './build-env.js';

const SKIP = skipReason();
const TRIALS = Number(process.env['ALMAC_KILL_TRIALS'] ?? 30);
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGKILL'];

/** Where to strike: a route and a progress line that starts the phase. */
const PHASES: { name: string; via: string; marker: RegExp }[] = [
  { name: 'dnf install', via: 'containerfile', marker: /step \d+\/\d+: RUN/ },
  { name: 'commit', via: 'containerfile', marker: /stage 2\/2 step \d+\/\d+: COPY/ },
  { name: 'verification', via: 'containerfile', marker: /verify: package manifest/ },
  { name: 'kickstart', via: 'kickstart', marker: /dnf install \(|%post|: pack|: import/ },
];

const storePaths = enginePaths(STORE);
const storeVars = engineEnvVars(storePaths);

/** Ids of the store's images that have no name. */
function namelessImages(): string[] {
  const r = spawnSync('podman', ['images', '-q', '--no-trunc', '--filter', 'dangling=true'], { env: storeEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`podman images failed: ${r.stderr}`);
  return r.stdout.split('\n').map((x) => x.trim()).filter(Boolean);
}

/** Every kind of leftover, counted; nameless images that were there before the trials do not count. */
function census(buildDir: string, namelessBefore: Set<string>): { total: number; detail: Record<string, unknown> } {
  const engine = new PodmanEngine({ store: { ...storePaths, env: storeVars }, env: mergeEnv(process.env, storeVars) });
  const leaks = findLeftoversSync(engine);
  const nameless = namelessImages().filter((id) => !namelessBefore.has(id));
  const scratch: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (e.name === 'work') scratch.push(join(d, e.name));
      else if (depth < 4) walk(join(d, e.name), depth + 1);
    }
  };
  walk(buildDir, 0);
  const processes = processesUsingSync([buildDir], undefined);
  const total = countLeaks(leaks) + scratch.length + processes.length + nameless.length;
  return { total, detail: { ...leaks, scratch, buildDirProcesses: processes, namelessImages: nameless } };
}

describe.skipIf(SKIP)(`almac build, killed at random points${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let buildDir: string;
  let namelessBefore: Set<string>;

  beforeAll(async () => {
    await ensureBuildEnv();
    buildDir = tempDir('kill-');
    const r = await almac(['build', '9/minimal', '--via', 'containerfile', '--via', 'kickstart', '--progress', 'plain', ...fixtureArgs(buildDir)]);
    if (r.code !== 0) throw new Error(`the first build failed (exit ${r.code}):\n${r.stderr}`);
    namelessBefore = new Set(namelessImages());
  }, 900_000);

  it(`leaves nothing behind after ${TRIALS} kills (and the next run)`, async () => {
    let seed = Number(process.env['ALMAC_KILL_SEED'] ?? 20261201);
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const results: { trial: number; phase: string; signal: string; struck: boolean; exit: string; left: number; detail?: unknown }[] = [];
    for (let t = 0; t < TRIALS; t++) {
      const phase = PHASES[t % PHASES.length]!;
      const signal = SIGNALS[Math.floor(t / PHASES.length) % SIGNALS.length]!;
      const delay = Math.floor(random() * 1500);
      const child = startAlmac(['build', '9/minimal', '--via', phase.via, '--force', '--progress', 'plain', ...fixtureArgs(buildDir)]);
      let err = '';
      let struck = false;
      const exited = new Promise<string>((res) => child.once('close', (c, s) => res(s ?? String(c))));
      child.stdout!.resume();
      child.stderr!.on('data', (b: Buffer) => {
        err += b.toString();
        if (!struck && phase.marker.test(err)) {
          struck = true;
          setTimeout(() => child.kill(signal), delay);
        }
      });
      const exit = await exited;
      // the next run reaps what the killed one left, then skips the unchanged build
      const next = await almac(['build', '9/minimal', '--via', phase.via, '--progress', 'plain', ...fixtureArgs(buildDir)]);
      expect(next.code, next.stderr).toBe(0);
      const c = census(buildDir, namelessBefore);
      results.push({ trial: t + 1, phase: phase.name, signal, struck, exit, left: c.total, ...(c.total ? { detail: c.detail } : {}) });
      process.stderr.write(`kill-build #${t + 1}/${TRIALS} ${phase.name} ${signal}${struck ? ` ${delay} ms after the marker` : ' (marker never seen)'}: exit ${exit}, ${c.total} left\n`);
    }
    const summary = { trials: results.length, struck: results.filter((r) => r.struck).length, leftovers: results.reduce((n, r) => n + r.left, 0) };
    console.log(`kill-build: ${JSON.stringify(summary)}\n${results.map((r) => `  #${r.trial} ${r.phase} ${r.signal} after marker: ${r.struck} exit ${r.exit} left ${r.left}`).join('\n')}`);
    expect(results.filter((r) => r.left > 0), JSON.stringify(results.filter((r) => r.left > 0), null, 2)).toEqual([]);
    expect(summary.struck).toBeGreaterThanOrEqual(Math.ceil(TRIALS * 0.9));
  }, 3_600_000);
});
