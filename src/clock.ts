/**
 * A monotonic clock in milliseconds, for the deadlines and intervals of waits inside this process. It reads
 * `process.hrtime()`: the global `performance` loads node:perf_hooks on its first use (~0.5 ms of CPU),
 * which a short-lived process that waits once for a lock has no other use for. Readings compare with each
 * other only, not with `performance.now()`.
 */
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}
