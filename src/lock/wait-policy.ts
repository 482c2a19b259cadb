import type { Backend } from './backends/backend.js';

// Every timing of the lock core's waits, in one place. Backends try once (or wait in a queue of their
// own for as long as the core says, `TryOptions.wait`); how long, how often and how far apart the
// attempts are is decided here, the same for every backend.

/** First retry delay after a failed attempt, in ms; doubles up to `MAX_DELAY`. */
export const FIRST_DELAY = 1;

/**
 * Upper bound of the retry delay, in ms. A crashed holder sends no wake-up, so this bounds how long a
 * waiter takes to notice that the kernel released a dead process's lock; it also bounds the CPU an idle
 * waiter burns (about 20 cheap attempts a second). It is also the longest `wait` the core passes to a
 * backend that does not queue (`Backend.queues`): one backoff step in a server's own lock queue.
 */
export const MAX_DELAY = 50;

/**
 * The longest `wait`, in ms, the core passes to a backend whose own queue costs nothing and stops on
 * abort (`Backend.queues`: the kernel's wait queue). Releases, removals and crashed holders end the wait
 * at once; a waiter that comes back re-joins the queue at its end, so this is long.
 */
export const QUEUE_WAIT = 30_000;

/** The longest delay one Node timer takes (2^31-1 ms, ~24.8 days); longer ones fire after 1 ms. */
export const MAX_TIMER = 2 ** 31 - 1;

/**
 * The `wait` of one retry of a waiting call (the first attempt, and `tryLock`, never wait): a queueing
 * backend waits up to `QUEUE_WAIT`, any other one backoff step, never past the call's deadline.
 */
export function waitFor(backend: Backend, remaining: number): number {
  const cap = backend.queues ? QUEUE_WAIT : MAX_DELAY;
  return Math.max(0, Math.min(cap, remaining, MAX_TIMER));
}
