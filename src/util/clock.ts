// Milliseconds from a monotonic clock, for the compiler's phase timings. Not `performance.now()`:
// the first use of the `performance` global loads Node's perf_hooks, which costs more than all the
// timings of a small compile together.
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
