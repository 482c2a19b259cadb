import fs from 'node:fs';
import { monotonicMs } from '../../../../clock.js';
import type { LockMode } from '../../backend.js';
import type { NativeLock } from '../native-lock.js';
import { watchPredecessor } from './predecessor.js';
import { ensureUserFolder, queueFolder } from './queue-dir.js';
import { enterQueue, leaveQueue, predecessor, type Ticket } from './ticket.js';
import { servedFromQueue, wakeFirst, wakeNext } from './wake.js';

/**
 * A wait that costs no thread: the process joins the lock's wait queue (a flock-held ticket file) and
 * sleeps on an `fs.watch` of its own ticket, which the holder of ours that releases the lock touches.
 *
 * - Only the queue's head tries the lock, so the lock goes to the waiters in the order they came (FIFO
 *   across processes, which flock(2) itself does not have), but for a releaser's short turn (TURN_MS in
 *   wake.ts). Newcomers try once before joining the queue.
 * - The head also polls the lock every `HEAD_POLL_MS`: that is how it notices a holder that died (the
 *   kernel drops its lock, but nobody touches the ticket) and a holder that knows nothing of the queue
 *   (util-linux flock(1), Python's filelock), within that time. Only the head polls.
 * - A waiter that leaves the head (it took the lock, gave up, or was aborted) touches the next live ticket
 *   at once, which becomes the head. A waiter behind a dead head finds out at its next check
 *   (`IDLE_CHECK_MS`), or, where the OS can say when a process ends (Windows), at once: there each waiter
 *   sleeps on the process of the waiter before it instead of checking (predecessor.ts), and a waiter that
 *   leaves from behind the head touches the next live ticket too.
 */

/**
 * How often the queue's head tries the lock without being woken: it bounds how late a crashed holder's
 * release, or one by a tool that knows nothing of the queue, is noticed (the goal is 50 ms).
 */
export const HEAD_POLL_MS = 40;
/**
 * How often a waiter behind the head checks whether the waiters before it are still alive. It only matters
 * when the head died while the holder dies too or is a foreign tool: any release by a holder of ours
 * wakes the first live waiter, dead ones skipped. These checks are most of what idle waiters cost (all
 * but the head make them), so they are rare: 2 s.
 */
export const IDLE_CHECK_MS = 2_000;
/**
 * How often a waiter that sleeps on its predecessor's process (Windows) checks all the same: only for what
 * neither that process's end nor a wake-up tells, a ticket removed by hand or one that entered the queue
 * just before this waiter's after it had looked (its waiter then dying while the lock's holder is foreign).
 */
export const WATCHED_CHECK_MS = 30_000;
/** How long (ms) after its predecessor's process ended a waiter looks every `HEAD_POLL_MS` for its ticket to die. */
const EXITING_MS = 1_000;

export type QueueWaitResult = 'held' | 'timeout' | 'aborted' | 'failed';

/** The lock file a wait is for: its open descriptor, with the file's identity. */
export interface WaitFile {
  readonly fd: number;
  readonly dev: bigint;
  readonly ino: bigint;
}

/**
 * Wait in the queue of `file` until this process holds the lock on `file.fd` (`'held'`), `ms` pass, or
 * `signal` aborts. Undefined at once where queues cannot be used (the caller polls instead). `'held'` can
 * come after an abort that raced with it: the caller then holds the lock and must give it back.
 */
export function waitInQueue(
  file: WaitFile,
  mode: LockMode,
  ms: number,
  signal: AbortSignal | undefined,
  native: NativeLock,
): Promise<QueueWaitResult> | undefined {
  const folder = queueFolder(file.dev, file.ino);
  if (!folder || !ensureUserFolder()) return undefined;
  if (signal?.aborted) return Promise.resolve('aborted');
  let ticket: Ticket;
  try {
    ticket = enterQueue(folder, native);
  } catch {
    return undefined;
  }
  let watcher: fs.FSWatcher;
  try {
    watcher = fs.watch(ticket.path, { persistent: false });
  } catch {
    leaveQueue(ticket);
    return undefined;
  }
  return new Promise<QueueWaitResult>((resolve) => {
    const deadline = monotonicMs() + ms;
    let head = false;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let unwatch: (() => void) | undefined; // the head's watch of its holder's exit, where the OS has one
    const finish = (result: QueueWaitResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unwatch?.();
      watcher.close();
      signal?.removeEventListener('abort', onAbort);
      leaveQueue(ticket);
      if (result === 'held') servedFromQueue(file.dev, file.ino);
      // The next waiter becomes the head at once: it must start polling, so that it notices within
      // HEAD_POLL_MS if this process dies while holding, even in the turn it took the lock. (A shared waiter's
      // wake-up also lets the next one try at once, in case it is shared too.)
      if (head) wakeFirst(folder, native);
      // A waiter behind that sleeps on this process would not see it leave alive: tell it (Windows only).
      else if (native.watchProcessExit) wakeNext(ticket, native);
      resolve(result);
    };
    const onAbort = () => finish('aborted');
    let exited: { name: string; at: number } | undefined; // the predecessor whose process was seen to end
    const look = () => {
      if (done) return;
      clearTimeout(timer);
      let before: string | undefined; // the live ticket just before ours, where waiters watch it
      try {
        // Once the head, always the head. The check goes from this ticket backwards: the waiter just
        // before is usually alive, so it costs one probe, not one per waiter ahead (15 at 16 processes).
        // Dead tickets ahead of the first live one are cleared by the wake-ups, which go from the front.
        if (!head) {
          before = predecessor(ticket, native);
          head = before === undefined;
        }
        if (head && native.tryLock(file.fd, mode) === 'held') return finish('held');
      } catch {
        return finish('failed');
      }
      const left = deadline - monotonicMs();
      if (left <= 0) return finish('timeout');
      // A head that can sleep until its holder exits need not poll for it (see NativeLock.watchHolderExit),
      // nor a waiter behind it check the waiters before it while it sleeps until its predecessor exits.
      unwatch?.();
      unwatch = undefined;
      let pace = head ? HEAD_POLL_MS : IDLE_CHECK_MS;
      if (head) {
        unwatch = native.watchHolderExit?.(file.fd, look);
        if (unwatch) pace = IDLE_CHECK_MS;
      } else if (before !== undefined && before === exited?.name) {
        // Its process ended but its ticket still looks held (the OS lets go of it a moment later): look
        // again soon for a while, then at the checks' pace, rather than watch a process that has ended.
        pace = monotonicMs() - exited.at < EXITING_MS ? HEAD_POLL_MS : IDLE_CHECK_MS;
      } else if (before !== undefined) {
        const watched = before;
        unwatch = watchPredecessor(watched, native, () => {
          exited = { name: watched, at: monotonicMs() };
          look();
        });
        if (unwatch) pace = WATCHED_CHECK_MS;
      }
      // The timer keeps the process alive while it waits, as a waiting call should.
      timer = setTimeout(look, Math.min(left, pace));
    };
    watcher.on('change', look);
    watcher.on('error', () => {
      // The watch broke (the ticket was removed by someone else): go on by polling at the head's pace.
      head = true;
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    look();
  });
}
