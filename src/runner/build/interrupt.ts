// What a run does when it is interrupted (SIGINT, SIGTERM, SIGHUP) or fails fast: every build's
// processes are killed (process.ts), then what they left in the store is removed — in almac's own
// store everything that is not an image (reap.ts); in the engine's system store the working
// containers that appeared during this run and the containers labelled with this run's pid.
import { writeSync } from 'node:fs';
import { onInterrupt, reapLeftoversSync, waitForProcessesGone, type Engine } from '../engine/index.js';

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
