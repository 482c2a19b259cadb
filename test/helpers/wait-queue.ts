import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { forgetWaitEnvironment } from '../../src/lock/backends/kernel/wait/available.js';
import { userFolder } from '../../src/lock/backends/kernel/wait/queue-dir.js';
import { setEnv } from './env.js';

/**
 * Set `LOCKSMITH_WAIT` or `LOCKSMITH_WAIT_THREADS` for the rest of test `t`. The library reads them once per
 * process, so it is told to read them again now and after the test, once the old value is back.
 */
export function setWaitEnv(
  t: TestContext,
  name: 'LOCKSMITH_WAIT' | 'LOCKSMITH_WAIT_THREADS',
  value: string,
): void {
  setEnv(t, name, value);
  forgetWaitEnvironment();
  t.after(forgetWaitEnvironment);
}

/** How many tickets process `pid` has in the kernel backend's wait queues right now (its sleeping waits). */
export function ticketsOf(pid: number): number {
  const root = userFolder();
  if (!root) return 0;
  let count = 0;
  let queues: string[];
  try {
    queues = readdirSync(root);
  } catch {
    return 0;
  }
  for (const queue of queues) {
    try {
      count += readdirSync(path.join(root, queue)).filter(
        (name) => name.split('-')[1] === String(pid),
      ).length;
    } catch {
      // the queue was removed meanwhile
    }
  }
  return count;
}
