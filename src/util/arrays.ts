// Array helpers whose cost does not grow the call stack: `a.push(...b)` and `Math.min(...b)` pass
// every element as an argument and overflow the stack once b holds a few hundred thousand items
// (a list of 300,000 packages on one line did). Use these wherever b comes from the input.

/** Appends every item of items to out; returns out. */
export function pushAll<T>(out: T[], items: Iterable<T>): T[] {
  for (const x of items) out.push(x);
  return out;
}

/** The smallest number of xs, or `empty` when there is none. */
export function minOf(xs: Iterable<number>, empty: number): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m === Infinity ? empty : m;
}
