import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerTimeout, withWorkers } from '../lib/proc.js';
import type { Figure } from './figure.js';

const epoch = () => performance.timeOrigin + performance.now();

/** Figure 3: the holder is SIGKILLed while a waiter of another process waits; time until the waiter holds. */
export const recovery: Figure = {
  id: 'recovery',
  number: 3,
  title: 'Crash recovery: holder SIGKILLed',
  short: 'recovery ms',
  describe: (quick) =>
    `A process holds the lock, another waits for it (for 300 ms, to be in its steady waiting state); the holder is SIGKILLed; time from the kill to the waiter holding the lock (the waiter's clock stamp). Gives up after ${quick ? 3 : 15} s ("never"). A subject that took over 2 s (waiting out a stale timeout) is not repeated.`,
  metrics: [{ key: 'ms', label: 'ms', better: 'lower' }],
  primary: 'ms',
  repeatBelow: 2_000,
  measure: (subject, context) =>
    withWorkers(async (start) => {
      const cap = context.quick ? 3_000 : 15_000;
      const target = context.scratch();
      const holder = start(subject, 'hold', target, 0);
      await holder.next('held', 60_000);
      const waiter = start(subject, 'wait', target, 0);
      await waiter.next('waiting', 60_000);
      await sleep(300);
      const killedAt = epoch();
      holder.kill();
      try {
        const { at } = await waiter.next<{ at: number }>('acquired', cap);
        return { values: { ms: at - killedAt } };
      } catch (error) {
        if (!(error instanceof WorkerTimeout)) throw error;
        return { values: { ms: Number.POSITIVE_INFINITY }, note: `never within ${cap / 1000} s` };
      }
    }),
};
