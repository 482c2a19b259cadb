import fs from 'node:fs';
import type { NativeLock } from '../native-lock.js';
import { queueFolder } from './queue-dir.js';
import { alive, nudge, queued, removeIfEmpty } from './ticket.js';

/**
 * The releasing side of the wait queue. A holder of ours, after its unlock, wakes the queue's first live
 * waiter, and only that one. The wake-up is a hint: the woken waiter tries the lock like anyone else.
 */

/**
 * How long (ms) a process that has just woken a waiter does not take the same lock again itself (its
 * next attempts answer busy). Without it a process that locks in a loop takes the lock back long before
 * the waiter it woke is running (~0.1–1 ms), and the queue's head starves; with it the lock goes to the
 * head. A head that does not come for it within this time (killed, or very slow) loses the turn.
 */
export const HANDOFF_MS = 5;

/** Lock files (by device and inode) recently handed to a woken waiter, and until when. */
const handedOff = new Map<string, number>();

/** Wake the first live waiter of a queue; whether there was one. Dead tickets met on the way are removed. */
export function wakeFirst(folder: string, native: NativeLock): boolean {
  for (const name of queued(folder)) {
    if (!alive(folder, name, native)) continue;
    if (nudge(folder, name)) return true;
  }
  removeIfEmpty(folder);
  return false;
}

/**
 * After releasing the lock file (`dev`, `ino`): wake its queue's first live waiter, and hold back this
 * process's own next attempts for `HANDOFF_MS` if there was one (whether there was is returned). Costs one
 * failed `readdir` when nobody waits through the queue.
 */
export function handOff(dev: bigint, ino: bigint, native: NativeLock): boolean {
  const folder = queueFolder(dev, ino);
  // existsSync does not build an Error for a missing folder, as readdirSync's throw would (~10 µs): this
  // is every uncontended release's only cost of the queue.
  if (!folder || (handedOff.size === 0 && !fs.existsSync(folder))) return false;
  const key = `${dev}-${ino}`;
  const woke = wakeFirst(folder, native);
  if (woke) handedOff.set(key, performance.now() + HANDOFF_MS);
  else handedOff.delete(key);
  return woke;
}

/** Whether this process handed the lock file to a woken waiter moments ago (so it should not barge in). */
export function handedOffRecently(dev: bigint, ino: bigint): boolean {
  if (handedOff.size === 0) return false;
  const key = `${dev}-${ino}`;
  const until = handedOff.get(key);
  if (until === undefined) return false;
  if (performance.now() < until) return true;
  handedOff.delete(key);
  return false;
}
