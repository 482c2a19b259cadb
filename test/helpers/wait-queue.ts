import { readdirSync } from 'node:fs';
import path from 'node:path';
import { userFolder } from '../../src/lock/backends/kernel/wait/queue-dir.js';

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
