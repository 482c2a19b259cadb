import { readFileSync } from 'node:fs';
import { withWorkers } from '../lib/proc.js';
import { quantile } from '../lib/stats.js';
import type { Figure } from './figure.js';

interface Result {
  start: number;
  end: number;
  torn: number;
  waits: number[];
}

/**
 * Figure 2: P processes × N locked read-increment-write cycles on one JSON counter. Every process waits
 * for a "go" so that start-up is not measured; ops/s over the span from the first start to the last end.
 */
export function contended(processes: number, cycles: number, quickCycles: number): Figure {
  return {
    id: `contended-${processes}`,
    number: 2,
    title:
      processes === 1
        ? 'Serial: 1 process × locked read-increment-write (the ceiling for the contended figures)'
        : `Contended: ${processes} processes × locked read-increment-write`,
    short: processes === 1 ? 'serial 1 proc ops/s' : `contended ${processes} procs ops/s`,
    describe: (quick) =>
      `${processes} processes × ${quick ? quickCycles : cycles} cycles of lock, read the JSON counter, write it + 1 (plain writeFileSync), unlock. Wait = time from asking to holding; lost updates = expected − final count (summed over runs; must be 0).`,
    metrics: [
      { key: 'ops', label: 'ops/s', better: 'higher' },
      { key: 'p50', label: 'wait p50 ms', better: 'lower' },
      { key: 'p99', label: 'wait p99 ms', better: 'lower' },
      { key: 'max', label: 'wait max ms', better: 'lower' },
      { key: 'lost', label: 'lost updates', better: 'lower', combine: 'total' },
    ],
    primary: 'ops',
    measure: (subject, context) =>
      withWorkers(async (start) => {
        const n = context.quick ? quickCycles : cycles;
        const target = context.scratch();
        const workers = Array.from({ length: processes }, () => start(subject, 'contended', target, n));
        await Promise.all(workers.map((w) => w.next('ready', 60_000)));
        for (const worker of workers) worker.send('go');
        const results = await Promise.all(workers.map((w) => w.next<Result>('result', 240_000)));
        const waits = results.flatMap((r) => r.waits);
        const span = Math.max(...results.map((r) => r.end)) - Math.min(...results.map((r) => r.start));
        let count = Number.NaN;
        try {
          count = (JSON.parse(readFileSync(target, 'utf8')) as { count: number }).count;
        } catch {}
        const expected = processes * n;
        const torn = results.reduce((sum, r) => sum + r.torn, 0);
        const notes = [];
        if (Number.isNaN(count)) notes.push('the counter file was left torn');
        if (torn > 0) notes.push(`${torn} torn reads`);
        return {
          values: {
            ops: expected / (span / 1000),
            p50: quantile(waits, 0.5),
            p99: quantile(waits, 0.99),
            max: Math.max(...waits),
            lost: Number.isNaN(count) ? expected : expected - count,
          },
          ...(notes.length ? { note: notes.join(', ') } : {}),
        };
      }),
  };
}
