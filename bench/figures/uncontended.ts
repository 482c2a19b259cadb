import { withWorkers } from '../lib/proc.js';
import type { Figure } from './figure.js';

/** Figure 1: one process, nobody else wants the lock: acquire + release in a loop. */
export const uncontended: Figure = {
  id: 'uncontended',
  number: 1,
  title: 'Uncontended acquire + release',
  short: 'uncontended µs/op',
  describe: (quick) =>
    `One process acquires and releases the lock in a loop for ${quick ? 100 : 400} ms (after a warm-up); time per acquire + release.`,
  metrics: [{ key: 'us', label: 'µs/op', better: 'lower' }],
  primary: 'us',
  measure: (subject, context) =>
    withWorkers(async (start) => {
      const budget = context.quick ? 100 : 400;
      const worker = start(subject, 'uncontended', context.scratch(), budget);
      const result = await worker.next<{ usPerOp: number }>('result', budget + 60_000);
      return { values: { us: result.usPerOp } };
    }),
};
