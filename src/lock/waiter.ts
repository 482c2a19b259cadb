import type { Backend } from './backends/backend.js';

/** First retry delay after a failed attempt, in ms; doubles up to `MAX_DELAY`. */
export const FIRST_DELAY = 1;
/**
 * Upper bound of the retry delay, in ms. A crashed holder sends no wake-up, so this bounds how long a
 * waiter takes to notice that the kernel released a dead process's lock; it also bounds the CPU an idle
 * waiter burns (about 20 cheap attempts a second).
 */
export const MAX_DELAY = 50;

/**
 * How long a waiting call retries on the backoff before it joins the backend's own queue (sleeps in
 * flock(2), or on the server). A handoff to a queued waiter leaves the lock idle until the new holder's
 * event loop wakes up (~0.3 ms on a loaded 2-core machine, longer than a short critical section), so under
 * heavy contention a lock that its holder releases and asks for again at once (a loop) is better taken
 * again by that awake process than handed over on every release: the trade Go's `sync.Mutex` makes, which
 * lets newcomers barge in until a waiter has waited 1 ms. Joining the queue after this bounds how long a
 * waiter only retries; a single waiter pays at most one backoff step (0.5–1 ms at first) of latency.
 */
export const QUEUE_AFTER = 10;

/**
 * Wakes a task waiting for a lock held by another process: on the backend's change events (the releaser
 * touches the lock file) or, as a safety net, after a capped, jittered exponential backoff.
 * The subscription is made before the next attempt, so a release between attempt and wait is not missed.
 */
export class Waker {
  #pending = false;
  #wake: (() => void) | undefined;
  #delay = FIRST_DELAY;
  /** The last wake-up was an event: check once more soon, without restarting the backoff. */
  #recheck = false;
  readonly #stop: () => void;

  constructor(backend: Backend, key: string) {
    this.#stop =
      backend.watch?.(key, () => {
        this.#pending = true;
        this.#wake?.();
      }) ?? (() => {});
  }

  /**
   * Wait for a change or the next backoff step, at most `limit` ms. Rejects with `signal.reason` on abort.
   */
  wait(limit: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#pending) {
      // Something changed since the last attempt: retry at once.
      this.#pending = false;
      this.#recheck = true;
      return Promise.resolve();
    }
    // After an event, one quick re-check covers a release whose unlock came just after its wake-up
    // event; the backoff level itself is kept, because under contention events come all the time and
    // restarting the backoff on each made waiters retry in a tight 1, 2, 4 ms ladder after every event.
    let step: number;
    if (this.#recheck) {
      this.#recheck = false;
      step = FIRST_DELAY;
    } else {
      step = this.#delay;
      this.#delay = Math.min(this.#delay * 2, MAX_DELAY);
    }
    const jittered = step * (0.5 + Math.random() / 2);
    return new Promise<void>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#wake = undefined;
        this.#pending = false;
      };
      const onAbort = () => {
        finish();
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          finish();
          resolve();
        },
        Math.min(jittered, limit),
      );
      this.#wake = () => {
        finish();
        this.#recheck = true;
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.#wake = undefined;
    this.#stop();
  }
}
