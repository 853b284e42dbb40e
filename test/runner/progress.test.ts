// Progress: the live region on a terminal never outgrows the terminal; plain mode is one line per event.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter, PlainReporter, TtyReporter } from '../../src/runner/progress.js';

class FakeTty extends Writable {
  isTTY = true;
  frames: string[] = [];
  constructor(readonly rows: number, readonly columns = 80) {
    super();
  }
  override _write(chunk: Buffer, _e: string, cb: () => void): void {
    this.frames.push(chunk.toString());
    cb();
  }
}

describe('progress', () => {
  it('keeps the live region within the terminal height with 48 builds (24 images × 2 routes)', () => {
    for (const rows of [5, 10, 24, 60]) {
      const tty = new FakeTty(rows);
      const r = new TtyReporter(tty, false);
      const keys = Array.from({ length: 48 }, (_, i) => `b${i}`);
      for (const k of keys) r.add(k, `${k} containerfile`);
      let max = 0;
      for (const [i, k] of keys.entries()) {
        r.start(k);
        r.step(k, 'stage 2/2 step 3/9: RUN dnf install …');
        if (i >= 20) r.finish(keys[i - 20]!, 'done', '4.4 MB, 17 packages');
        max = Math.max(max, r.regionLines().length);
      }
      expect(max).toBeLessThanOrEqual(rows - 1);
      expect(r.regionLines().at(-1)).toMatch(/more running|queued|finished/);
      r.close();
    }
  });

  it('prints a finished build once, above the region', () => {
    const tty = new FakeTty(24);
    const r = new TtyReporter(tty, false);
    r.add('a', '9/minimal containerfile');
    r.start('a');
    r.finish('a', 'done', '4.4 MB');
    r.close();
    expect(tty.frames.join('').match(/✓ 9\/minimal containerfile/g)).toHaveLength(1);
  });

  it('picks plain lines for --progress plain, for --json and off a terminal', () => {
    const tty = new FakeTty(24);
    expect(createReporter('plain', false, { err: tty, color: false })).toBeInstanceOf(PlainReporter);
    expect(createReporter('auto', true, { err: tty, color: false })).toBeInstanceOf(PlainReporter);
    expect(createReporter('auto', false, { err: tty, color: false })).toBeInstanceOf(TtyReporter);
    expect(createReporter('tty', false, { err: new Writable(), color: false })).toBeInstanceOf(TtyReporter);
    expect(createReporter('auto', false, { err: new Writable(), color: false })).toBeInstanceOf(PlainReporter);
  });
});
