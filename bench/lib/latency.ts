import { quantile } from './stats.js';

/** Latency of one operation, in ms rounded to the µs. */
export interface Latency {
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

/** Run `op` `warmup` times untimed, then `iterations` times timed one by one. */
export async function measureLatency(
  iterations: number,
  warmup: number,
  op: (i: number) => Promise<unknown>,
): Promise<Latency> {
  for (let i = 0; i < warmup; i++) await op(i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await op(i);
    samples.push(performance.now() - start);
  }
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    n: iterations,
    p50: round(quantile(samples, 0.5)),
    p99: round(quantile(samples, 0.99)),
    mean: round(samples.reduce((a, b) => a + b, 0) / samples.length),
  };
}
