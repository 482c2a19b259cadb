import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { withWorkers } from '../lib/proc.js';
import { median } from '../lib/stats.js';
import type { Figure } from './figure.js';

let ticksPerSecond: number | undefined;

/** CPU time (ms) a process has used so far, from /proc (for the C and Python waiters). */
function procCpuMs(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the file (utime, stime) are 12 and 13 after the command name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** Figure 5: CPU burnt by idle waiters while another process holds the lock. */
export function idle(waiters: number, seconds: number): Figure {
  return {
    id: 'idle',
    number: 5,
    title: `CPU of ${waiters} idle waiters`,
    short: `CPU % of ${waiters} idle waiters`,
    describe: (quick) =>
      `One process holds the lock; ${quick ? 4 : waiters} processes wait for it. After 500 ms to settle, each measures the CPU it uses over ${quick ? 1 : seconds} s (process.cpuUsage in Node waiters; /proc/PID/stat, 10 ms ticks, for C and Python). Total = the sum over all waiters, in % of one core. One run; the spread is across waiters.`,
    metrics: [
      { key: 'total', label: 'total % of a core', better: 'lower' },
      { key: 'median', label: 'per waiter median %', better: 'lower' },
      { key: 'max', label: 'per waiter max %', better: 'lower' },
    ],
    primary: 'total',
    runs: () => 1,
    unsupported: () => (process.platform === 'linux' ? undefined : 'needs /proc'),
    measure: (subject, context) =>
      withWorkers(async (start) => {
        const count = context.quick ? 4 : waiters;
        const ms = (context.quick ? 1 : seconds) * 1000;
        const target = context.scratch();
        const holder = start(subject, 'hold', target, 0);
        await holder.next('held', 60_000);
        let percents: number[];
        if (subject.kind === 'node') {
          const workers = Array.from({ length: count }, () => start(subject, 'idle', target, ms));
          const results = await Promise.all(
            workers.map((w) => w.next<{ cpuMs: number; wallMs: number }>('result', ms + 120_000)),
          );
          percents = results.map((r) => (100 * r.cpuMs) / r.wallMs);
        } else {
          const workers = Array.from({ length: count }, () => start(subject, 'wait', target, 0));
          await Promise.all(workers.map((w) => w.next('waiting', 60_000)));
          await sleep(500);
          const before = workers.map((w) => procCpuMs(w.pid));
          const t0 = performance.now();
          await sleep(ms);
          const after = workers.map((w) => procCpuMs(w.pid));
          const wall = performance.now() - t0;
          percents = after.map((cpu, i) => (100 * (cpu - before[i]!)) / wall);
        }
        return {
          values: {
            total: percents.reduce((a, b) => a + b, 0),
            median: median(percents),
            max: Math.max(...percents),
          },
        };
      }),
  };
}
