// What a run does when it is interrupted (SIGINT, SIGTERM, SIGHUP) or fails fast: every build's
// processes are killed (process.ts), then what they left in the store is removed — in almac's own
// store everything that is not an image (reap.ts); in the engine's system store the working
// containers that appeared during this run and the containers labelled with this run's pid.
import { existsSync, readdirSync, writeSync } from 'node:fs';
import { removeSync } from '../files.js';
import { basename, join } from 'node:path';
import { onInterrupt, pidAlive, reapLeftoversSync, waitForProcessesGone, type Engine } from '../engine/index.js';

export interface InterruptGuard {
  /** Removes what the (cancelled) builds left, now. */
  cleanupNow(): void;
  dispose(): void;
}

export function guardRun(engine: Engine, buildDir: string, o: { onSignal: (sig: NodeJS.Signals) => string; before?: Set<string> }): InterruptGuard {
  const cleanupNow = (): void => {
    waitForProcessesGone([buildDir, ...(engine.store ? [engine.store.stateDir] : [])], engine.store?.graphRoot, 5000);
    reapLeftoversSync(engine, { includeOwn: true });
    if (!engine.store && o.before) engine.removeWorkingContainersSync(engine.workingContainersSync().filter((c) => !o.before!.has(c)));
  };
  const dispose = onInterrupt((sig) => {
    cleanupNow();
    writeSync(2, o.onSignal(sig));
  });
  return { cleanupNow, dispose };
}

/**
 * What killed runs left in the build directory (the caller holds its lock): every build's scratch
 * directory (<release>/<image>/<platform>/<route>/work: a kickstart root, a verification copy), the
 * package caches of runs that are gone and derived-builder contexts. Returns how many were removed.
 */
export function reapBuildDirSync(buildDir: string): number {
  let n = 0;
  const dirs = (p: string): string[] => {
    try {
      return readdirSync(p, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(p, e.name));
    } catch {
      return [];
    }
  };
  const remove = (p: string): void => {
    removeSync(p);
    n++;
  };
  for (const rel of dirs(buildDir)) {
    const name = basename(rel);
    if (name === 'cache') {
      for (const c of dirs(rel)) {
        const pid = /^packages-(\d+)$/.exec(basename(c))?.[1];
        if (pid && !pidAlive(Number(pid))) remove(c);
      }
    } else if (name === 'derived') {
      for (const d of dirs(rel)) remove(d);
    } else if (name !== 'engine' && name !== 'context') {
      for (const img of dirs(rel)) for (const plat of dirs(img)) for (const route of dirs(plat)) if (existsSync(join(route, 'work'))) remove(join(route, 'work'));
    }
  }
  return n;
}
