import { withWorkers } from '../lib/proc.js';
import { median } from '../lib/stats.js';
import type { Figure } from './figure.js';

const WAITERS = 32;
/** How long after the read window the holder gives the lock up, if the reads have not finished by then. */
const HOLD_AFTER_WINDOW = 1_000;

/**
 * Figure 4: does waiting starve libuv's threadpool? 32 acquisitions of one process wait for a lock held by
 * another process, while that process times unrelated fs.promises.readFile calls.
 */
export const threadpool: Figure = {
  id: 'threadpool',
  number: 4,
  title: `Threadpool health: unrelated readFile while ${WAITERS} in-process waiters wait`,
  short: 'readFile ms (32 waiters)',
  describe: () =>
    `Another process holds the lock; one process starts ${WAITERS} acquisitions, then issues an unrelated fs.promises.readFile (4 KB) every 20 ms for 500 ms. Latency of those reads; the holder gives the lock up ${HOLD_AFTER_WINDOW} ms after the window, so reads stuck behind a starved threadpool show about that much (reads never done within 3 s count as ∞). Node subjects only.`,
  metrics: [
    { key: 'p50', label: 'p50 ms', better: 'lower' },
    { key: 'max', label: 'max ms', better: 'lower' },
  ],
  primary: 'p50',
  unsupported: (subject) =>
    subject.kind === 'node' ? undefined : 'not a Node library (no libuv threadpool)',
  measure: (subject, context) =>
    withWorkers(async (start) => {
      const target = context.scratch();
      const holder = start(subject, 'hold', target, 0);
      await holder.next('held', 60_000);
      const worker = start(subject, 'threadpool', target, WAITERS);
      await worker.next('window', 60_000);
      const timer = setTimeout(() => holder.send('release'), HOLD_AFTER_WINDOW);
      try {
        const { latencies } = await worker.next<{ latencies: (number | null)[] }>('result', 30_000);
        const values = latencies.map((l) => l ?? Number.POSITIVE_INFINITY);
        const never = values.filter((l) => l === Number.POSITIVE_INFINITY).length;
        return {
          values: { p50: median(values), max: Math.max(...values) },
          ...(never ? { note: `${never} of ${values.length} reads never completed` } : {}),
        };
      } finally {
        clearTimeout(timer);
      }
    }),
};
