import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { bundleRacer, type Impl, staleRace } from '../lib/stale-race.js';
import type { Figure } from './figure.js';

/** The subjects this figure runs, and the implementation each stands for in bench/stale-racer.ts. */
const IMPLS: Record<string, Impl> = {
  'proper-lockfile': 'proper-lockfile',
  'proper-lockfile-drop-in': 'drop-in',
};

let bundle: Promise<string> | undefined;

/**
 * Stale takeover race: a holder is SIGKILLed while waiters retry every 10 ms; they race to take over the
 * lock (stale 2 000 ms). Counts trials with two holders at once. proper-lockfile's protocol only: the
 * lease backend has its own torture (scripts/lease-torture.ts), the kernel backends have no takeover.
 */
export const staleRaceFigure: Figure = {
  id: 'stale-race',
  number: 8,
  title: 'Stale takeover race: holder SIGKILLed, 4 waiters retrying every 10 ms',
  short: 'stale-race two holders',
  describe: (quick) =>
    `${quick ? 3 : 30} trials per run: a holder process is SIGKILLed while 4 waiter processes retry every 10 ms (stale 2000 ms); each waiter holds 20 ms and logs enter/exit to one O_APPEND log. "two holders" = trials where two were inside at once (summed over runs; must be 0); recovery = ms from the kill to the first waiter holding. scripts/proper-lockfile-torture.ts runs the same race 1000 times.`,
  metrics: [
    { key: 'overlapped', label: 'trials with two holders', better: 'lower', combine: 'total' },
    { key: 'trials', label: 'trials', better: 'higher', combine: 'total' },
    { key: 'recovery', label: 'recovery median ms', better: 'lower' },
  ],
  primary: 'recovery',
  runs: () => 1,
  unsupported: (subject) =>
    IMPLS[subject.id]
      ? undefined
      : "proper-lockfile's takeover race; other subjects have no mkdir-and-mtime takeover",
  async measure(subject, context) {
    bundle ??= bundleRacer();
    const dir = mkdtempSync(path.join(path.dirname(context.scratch()), 'race-'));
    const result = await staleRace({
      bundle: await bundle,
      impl: IMPLS[subject.id]!,
      trials: context.quick ? 3 : 30,
      waiters: 4,
      dir,
    });
    const sorted = [...result.recovery].sort((a, b) => a - b);
    return {
      values: {
        overlapped: result.overlapped,
        trials: result.trials,
        recovery: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
      },
    };
  },
};
