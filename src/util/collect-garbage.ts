// A full garbage collection at the one moment a large compile lets go of most of what it built.
//
// V8 collects the old generation when it reaches a limit set from the live size at the previous
// full collection. At 10,000 images that collection happens while the syntax trees are alive, so
// the limit ends up several times what is live once they are dropped, and the process grows to
// that limit before anything is reclaimed (a peak of about 380 MB instead of about 290 MB). One
// collection right after the trees are dropped sets the limit from what is really live; it costs
// one marking of a heap that is mostly free (tens of milliseconds).
//
// Node exposes gc() only with --expose-gc; the flag, set at run time, makes the next context it
// creates carry the function. Best effort: where that does not work, nothing happens.
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc: unknown = vm.runInNewContext('typeof gc === "function" ? gc : null');
      collect = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
