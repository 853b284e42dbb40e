// collectGarbage (src/util/collect-garbage.ts) runs a full collection where Node allows it: an
// object nothing refers to any more is gone afterwards. It is best effort, so it never throws.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/util/collect-garbage.js';

describe('collectGarbage', () => {
  it('reclaims what is no longer referenced, and can be called again', async () => {
    let big: number[] | undefined = Array.from({ length: 100_000 }, (_, i) => i);
    const ref = new WeakRef(big);
    big = undefined;
    // A WeakRef keeps its target until the end of the job that created or read it.
    await nextTurn();
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
    expect(() => collectGarbage()).not.toThrow();
  });
});
