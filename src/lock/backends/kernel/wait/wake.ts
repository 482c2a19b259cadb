import fs from 'node:fs';
import { monotonicMs } from '../../../../clock.js';
import type { NativeLock } from '../native-lock.js';
import { strictOrder } from './available.js';
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
 * A process's turn (ms): a holder of ours that releases a lock others wait for, and asks for it again
 * before its event loop turns (a loop of lock, work, release), may take it back for this long, counted
 * from the first such release, instead of handing it over at every release. The wake-up of the queue's
 * head is deferred meanwhile (`setImmediate`, or at the process's exit); when the turn is over, or the
 * process does not ask again before its loop turns, the head is woken and the releaser holds back
 * (`HANDOFF_MS`). Each hand-over costs the next process's wake-up and scheduling (from one process's
 * release to the next one's grant: median 0.6-0.8 ms, 90th percentile 3-5 ms, 16 processes on 2 busy
 * cores), which a turn spreads over the critical sections it holds. What a waiter loses to turns is
 * bounded by this much plus one critical section per process ahead of it. `LOCKSMITH_WAIT=fifo` turns it off
 * (every release with a waiter hands over).
 */
export const TURN_MS = 2;

/** A turn in progress for one lock file: until when, and the deferred wake-up of the head, if any. */
interface Turn {
  readonly until: number;
  readonly folder: string;
  wake: NodeJS.Immediate | undefined;
}

/** Turns in progress, by lock file (device and inode). */
const turns = new Map<string, Turn>();
let exitHooked = false;

/** Lock files (by device and inode) recently handed to a woken waiter, and until when. */
const handedOff = new Map<string, number>();

/**
 * Wake the first live waiter of a queue; the name of its ticket, or undefined when there was none. Dead
 * tickets met on the way are removed.
 */
export function wakeFirst(folder: string, native: NativeLock): string | undefined {
  const woken = wakeFirstAfter(folder, undefined, native);
  if (woken === undefined) removeIfEmpty(folder);
  return woken;
}

/**
 * Wake the first live waiter queued after `ticket`, whose waiter leaves the queue from behind the head (it
 * gave up or was aborted): a waiter sleeping on its predecessor's process (predecessor.ts) learns so that
 * its predecessor changed. Dead tickets met on the way are removed.
 */
export function wakeNext(ticket: Ticket, native: NativeLock): void {
  wakeFirstAfter(ticket.folder, ticket.name, native);
}

/** Wake the first live waiter of the queue in `folder` whose ticket sorts after `after` (any, if undefined). */
function wakeFirstAfter(folder: string, after: string | undefined, native: NativeLock): string | undefined {
  for (const name of queued(folder)) {
    if ((after !== undefined && name <= after) || !alive(folder, name, native)) continue;
    if (nudge(folder, name)) return name;
  }
  return undefined;
}

/** How long ago (ms) the ticket `name` joined the queue; Infinity when its name does not tell. */
export function ticketAge(name: string): number {
  const maker = ticketMaker(name);
  if (maker === undefined) return Number.POSITIVE_INFINITY;
  return Number(process.hrtime.bigint() - maker.stamp) / 1e6;
}

/**
 * After releasing the lock file (`dev`, `ino`): wake its queue's first live waiter and hold back this
 * process's own next attempts for `HANDOFF_MS` if there was one; within a turn (`TURN_MS`), defer that
 * until this process's event loop turns. Costs one failed `existsSync` when nobody waits through the
 * queue. `turns` is false where a late wake-up would not be bounded by the head's 40 ms poll (a head
 * that sleeps on its holder's process) and under `LOCKSMITH_WAIT=fifo`.
 */
export function handOff(dev: bigint, ino: bigint, native: NativeLock, turnsAllowed = true): void {
  const folder = queueFolder(dev, ino);
  // existsSync does not build an Error for a missing folder, as readdirSync's throw would (~10 µs): this
  // is every uncontended release's only cost of the queue.
  if (!folder || (handedOff.size === 0 && turns.size === 0 && !fs.existsSync(folder))) return;
  const key = `${dev}-${ino}`;
  const now = monotonicMs();
  let turn = turns.get(key);
  if (turn === undefined && turnsAllowed && !strictOrder()) {
    turn = { until: now + TURN_MS, folder, wake: undefined };
    turns.set(key, turn);
  }
  if (turn !== undefined && now < turn.until) {
    const current = turn;
    current.wake ??= setImmediate(() => endTurn(key, current, native));
    if (!exitHooked) {
      exitHooked = true;
      process.on('exit', () => endAllTurns(native));
    }
    return;
  }
  if (turn !== undefined) endTurn(key, turn, native);
  else wakeHead(key, folder, native);
}

/** Wake the head of the queue in `folder` and hold back this process's next attempts if there was one. */
function wakeHead(key: string, folder: string, native: NativeLock): boolean {
  const woken = wakeFirst(folder, native);
  if (woken !== undefined) handedOff.set(key, monotonicMs() + HANDOFF_MS);
  else handedOff.delete(key);
  return woken !== undefined;
}

/** End a turn: its deferred wake-up happens now. */
function endTurn(key: string, turn: Turn, native: NativeLock): void {
  if (turns.get(key) === turn) turns.delete(key);
  if (turn.wake !== undefined) clearImmediate(turn.wake);
  turn.wake = undefined;
  try {
    wakeHead(key, turn.folder, native);
  } catch {
    // A wake-up is a hint: the queue's head polls in any case.
  }
}

/** At exit, the deferred wake-ups of all turns happen (an immediate would never run). */
function endAllTurns(native: NativeLock): void {
  for (const [key, turn] of turns) if (turn.wake !== undefined) endTurn(key, turn, native);
}

/**
 * This process took the lock file (`dev`, `ino`) again: a wake-up deferred by its last release is not due
 * yet (its next release defers it again, within the turn, or makes it). Cheap when no turn is in progress.
 */
export function tookAgain(dev: bigint, ino: bigint): void {
  if (turns.size === 0) return;
  const turn = turns.get(`${dev}-${ino}`);
  if (turn?.wake === undefined) return;
  clearImmediate(turn.wake);
  turn.wake = undefined;
}

/**
 * This process took the lock file (`dev`, `ino`) from its wait queue: its hold-back from an earlier
 * hand-off is over, as the waiter it woke then, queued ahead of it, has had the lock. Without this, two
 * processes that lock in a loop each held it for one critical section at a time: each took the lock
 * within `HANDOFF_MS` of its own last hand-off, so its next attempt answered busy and it handed over again.
 */
export function servedFromQueue(dev: bigint, ino: bigint): void {
  if (handedOff.size > 0) handedOff.delete(`${dev}-${ino}`);
}

/** Whether this process handed the lock file to a woken waiter moments ago (so it should not barge in). */
export function handedOffRecently(dev: bigint, ino: bigint): boolean {
  if (handedOff.size === 0) return false;
  const key = `${dev}-${ino}`;
  const until = handedOff.get(key);
  if (until === undefined) return false;
  if (monotonicMs() < until) return true;
  handedOff.delete(key);
  return false;
}
