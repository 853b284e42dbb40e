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

/**
 * `a`, or a copy of exactly its length when it is short. V8 gives an array grown by `push` room
 * for 17 items at its first push and never gives the room back, so each of the hundreds of
 * thousands of one- to three-item lists a large project keeps (paths, package names, bodies)
 * would hold about 150 bytes instead of 30. Use it on lists that outlive the function that
 * built them.
 */
export function fitted<T>(a: T[]): T[] {
  return a.length > 0 && a.length < 16 ? a.slice() : a;
}
