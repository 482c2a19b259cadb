import type { NativeLock } from '../native-lock.js';
import { ticketMaker } from './ticket.js';
import { ticketAge } from './wake.js';

/**
 * Where the OS can say when a process ends (Windows), a waiter behind the queue's head sleeps on the
 * process of the waiter just before it (its predecessor) instead of checking every `IDLE_CHECK_MS` that
 * the waiters before it are alive: under Wine those checks were most of what idle waiters cost (issue 19).
 * When the predecessor dies (killed or not) the waiter looks again: it may be the head now, or have a new
 * predecessor to watch. A predecessor that leaves the queue alive wakes it (`wakeNext`, or `wakeFirst` from
 * the head).
 *
 * The predecessor's pid is the one its ticket's name gives, and that process was alive when it stamped the
 * ticket (the monotonic clock, which every process of the host shares). So the pid is trusted only if the
 * process now behind it was created before that moment, less `TRUST_MARGIN_MS`: a pid reused by a later
 * process is another process, and the waiter keeps its checks. Linux has no such watch: its waiters check.
 */

/**
 * How much earlier (ms) than its ticket's stamp the predecessor's process must have been created to be
 * trusted: it covers the coarser clock of process creation times (a system tick, ~16 ms on Windows) and
 * the conversion of the stamp to the wall clock. A waiter that queues sooner after it started only keeps
 * its checks.
 */
export const TRUST_MARGIN_MS = 50;

/**
 * Call `onExit` once when the waiter of ticket `name` (in the queue of this process's waiter) ends, and
 * return what cancels that; undefined when it cannot be watched for sure (no such watch here, a name that
 * does not say, a pid that may have been reused), in which case the caller checks as before.
 */
export function watchPredecessor(
  name: string,
  native: NativeLock,
  onExit: () => void,
): (() => void) | undefined {
  if (!native.watchProcessExit) return undefined;
  const maker = ticketMaker(name);
  if (!maker) return undefined;
  const stampedAtMs = Date.now() - ticketAge(name);
  return native.watchProcessExit(maker.pid, stampedAtMs - TRUST_MARGIN_MS, onExit);
}
