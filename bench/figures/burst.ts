import { readFileSync } from 'node:fs';
import { ensureBuilt, ONE_SHOT_SUBJECTS, oneShot } from '../lib/one-shot.js';
import { quantile } from '../lib/stats.js';
import type { Figure } from './figure.js';

const PROCESSES = 16;
const HOLD_MS = 5;

/**
 * Burst: 16 one-shot processes started at once, as `tool add` run 16 times in parallel: each starts,
 * imports the library, locks, works 5 ms, releases and exits. Start-up is part of the figure on purpose.
 */
export const burst: Figure = {
  id: 'burst',
  number: 9,
  title: `Burst: ${PROCESSES} one-shot processes started at once`,
  short: `burst ${PROCESSES} procs ms`,
  describe: () =>
    `${PROCESSES} processes started at once; each imports the library (locksmith from dist/, as installed), locks, increments the JSON counter and holds ${HOLD_MS} ms, releases, exits. Wall = first spawn to last exit; CPU = each process's own (start-up included), median over the ${PROCESSES}; flock(1) runs \`flock FILE sleep 0.005\` and reports no CPU or counter.`,
  metrics: [
    { key: 'ms', label: 'wall ms', better: 'lower' },
    { key: 'cpu', label: 'CPU ms/process', better: 'lower' },
    { key: 'maxWait', label: 'wait max ms', better: 'lower' },
    { key: 'lost', label: 'lost updates', better: 'lower', combine: 'total' },
  ],
  primary: 'ms',
  unsupported: (subject) =>
    ONE_SHOT_SUBJECTS.has(subject.id)
      ? undefined
      : 'the one-shot figures measure locksmith and three anchors',
  async measure(subject, context) {
    ensureBuilt();
    const target = context.scratch();
    const began = performance.now();
    const runs = await Promise.all(
      Array.from({ length: PROCESSES }, () => oneShot(subject, target, HOLD_MS)),
    );
    const ms = performance.now() - began;
    const reports = runs.flatMap((r) => (r.report ? [r.report] : []));
    if (reports.length === 0) return { values: { ms } };
    const count = (JSON.parse(readFileSync(target, 'utf8')) as { count: number }).count;
    return {
      values: {
        ms,
        cpu: quantile(
          reports.map((r) => r.cpuMs),
          0.5,
        ),
        maxWait: Math.max(...reports.map((r) => r.waitMs)),
        lost: PROCESSES - count,
      },
    };
  },
};
