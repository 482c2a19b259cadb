import fs from 'node:fs';
import type { NativeLock } from '../native-lock.js';
import { boundedBarging } from './available.js';
import { queueFolder } from './queue-dir.js';
import { alive, nudge, queued, removeIfEmpty, type Ticket, ticketMaker } from './ticket.js';

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

/**
 * Bounded barging (`LOCKSMITH_WAIT=barge`, not the default): a process that releases to a woken waiter holds
 * back (`HANDOFF_MS`) only when that waiter joined the queue at least this long ago (ms). A younger one may
 * be overtaken by the releaser's next lock; an older one gets the lock next. The age is read from the
 * ticket's name (the monotonic clock, shared by the host's processes). Measured against strict FIFO on the
 * contended figures (4 and 16 processes, load 14-17 on 2 cores), it was slower with longer waits: each
 * overtaking release still wakes the head, which finds the lock busy and sleeps again. Kept as an option to
 * measure on other hosts.
 */
export const BARGE_MS = 25;

/** Lock files (by device and inode) recently handed to a woken waiter, and until when. */
const handedOff = new Map<string, number>();

/**
 * Wake the first live waiter of a queue; the name of its ticket, or undefined when there was none. Dead
 * tickets met on the way are removed.
 */
export function wakeFirst(folder: string, native: NativeLock): string | undefined {
  for (const name of queued(folder)) {
    if (!alive(folder, name, native)) continue;
    if (nudge(folder, name)) return name;
  }
  removeIfEmpty(folder);
  return undefined;
}

/**
 * Wake the first live waiter queued after `ticket`, whose waiter leaves the queue from behind the head (it
 * gave up or was aborted): a waiter sleeping on its predecessor's process (predecessor.ts) learns so that
 * its predecessor changed. Dead tickets met on the way are removed.
 */
export function wakeNext(ticket: Ticket, native: NativeLock): void {
  for (const name of queued(ticket.folder)) {
    if (name <= ticket.name || !alive(ticket.folder, name, native)) continue;
    if (nudge(ticket.folder, name)) return;
  }
}

/** How long ago (ms) the ticket `name` joined the queue; Infinity when its name does not tell. */
export function ticketAge(name: string): number {
  const maker = ticketMaker(name);
  if (maker === undefined) return Number.POSITIVE_INFINITY;
  return Number(process.hrtime.bigint() - maker.stamp) / 1e6;
}

/**
 * After releasing the lock file (`dev`, `ino`): wake its queue's first live waiter, and hold back this
 * process's own next attempts for `HANDOFF_MS` if there was one (under `LOCKSMITH_WAIT=barge`: one that
 * queued `BARGE_MS` ago or more). Returns whether a waiter was woken. Costs one failed `readdir` when
 * nobody waits through the queue.
 */
export function handOff(dev: bigint, ino: bigint, native: NativeLock): boolean {
  const folder = queueFolder(dev, ino);
  // existsSync does not build an Error for a missing folder, as readdirSync's throw would (~10 µs): this
  // is every uncontended release's only cost of the queue.
  if (!folder || (handedOff.size === 0 && !fs.existsSync(folder))) return false;
  const key = `${dev}-${ino}`;
  const woken = wakeFirst(folder, native);
  if (woken !== undefined && (!boundedBarging() || ticketAge(woken) >= BARGE_MS)) {
    handedOff.set(key, performance.now() + HANDOFF_MS);
  } else {
    handedOff.delete(key);
  }
  return woken !== undefined;
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
