// Removing images a run made obsolete: a rebuilt image's predecessor, tags moved to a new image,
// images this build directory created that lost every name, derived builders that were replaced.
// Housekeeping never fails a build.
import type { JobContext } from '../job.js';
import { saveState } from '../state.js';
import type { RunContext } from './run-context.js';

/** Removes images among `ids` that have no name left (superseded builds), never `keep`. */
export async function prune(run: RunContext, ids: (string | undefined)[], keep: string, ctx?: JobContext): Promise<void> {
  try {
    const cands = [...new Set(ids.filter((x): x is string => !!x && x !== keep))];
    if (!cands.length) return;
    const now = await run.engine.listImages();
    const dangling = cands.filter((id) => now.some((i) => i.id === id && i.names.length === 0));
    if (!dangling.length) return;
    const r = await run.engine.removeImages(dangling);
    ctx?.log(`# removed superseded image${dangling.length === 1 ? '' : 's'} ${dangling.map((d) => d.slice(0, 12)).join(' ')}${r.code === 0 ? '' : ` (failed: ${r.stderr.trim()})`}`);
  } catch (e) {
    ctx?.log(`# could not remove superseded images: ${(e as Error).message}`);
  }
}

/** Images this build directory created that have lost every name (see StateFile.created). */
export async function pruneCreated(run: RunContext): Promise<void> {
  const { state } = run;
  if (!state.created?.length) return;
  try {
    const now = await run.engine.listImages();
    const exists = new Map(now.map((i) => [i.id, i]));
    const dangling = state.created.filter((id) => exists.get(id)?.names.length === 0);
    if (dangling.length) await run.engine.removeImages(dangling);
    const after = dangling.length ? new Set((await run.engine.listImages()).map((i) => i.id)) : new Set(exists.keys());
    state.created = state.created.filter((id) => after.has(id));
    saveState(run.buildDir, state);
  } catch {
    // only housekeeping
  }
}

/** Derived builders of the same SYSBASE + repositories that this run replaced. */
export async function pruneSupersededBuilders(run: RunContext): Promise<void> {
  if (run.dryRun || !run.derivedUsed.size) return;
  try {
    const families = new Set([...run.derivedUsed].map((t) => t.split(':')[1]!.split('-')[0]!));
    const now = await run.engine.listImages();
    const old = now.flatMap((i) => i.names).filter((n) => {
      const m = /^localhost\/almac\/builder:([0-9a-f]{8})-[0-9a-f]{12}$/.exec(n);
      return m && families.has(m[1]!) && !run.derivedUsed.has(n);
    });
    if (old.length) await run.engine.removeImages(old);
  } catch {
    // only housekeeping
  }
}
