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
 * The longest retry delay, in ms, while a waiting call retries before it joins its backend's own queue
 * (`Backend.queueAfter`): the retries back off 1, 2, 4, 8, 8… ms, and nothing wakes them, so a single
 * waiter notices a release at most about this late. Retries every 1–2 ms made the holder's critical
 * section 15–30 % slower on 2 cores (three waiters preempting it ~2 000 times a second, for retries that
 * fail); with 8 ms steps, 4 processes' contended throughput was 11 % higher (medians of 5 interleaved runs).
 */
export const RETRY_STEP = 8;

/** The longest delay one Node timer takes (2^31-1 ms, ~24.8 days); longer ones fire after 1 ms. */
export const MAX_TIMER = 2 ** 31 - 1;

/**
 * `setTimeout` for any delay: one past the longest timer is waited out as a chain of timers (a single
 * one would warn `TimeoutOverflowWarning` and fire after 1 ms). Returns a function that cancels it.
 */
export function longTimeout(fn: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const end = performance.now() + ms;
  const arm = (left: number) => {
    timer = setTimeout(
      () => {
        const rest = end - performance.now();
        if (rest > 0) arm(rest);
        else fn();
      },
      Math.min(Math.max(0, left), MAX_TIMER),
    );
  };
  arm(ms);
  return () => clearTimeout(timer);
}

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
   * Wait for a change or the next backoff step (at most `cap` ms), at most `limit` ms. Rejects with
   * `signal.reason` on abort.
   */
  wait(limit: number, signal: AbortSignal | undefined, cap = MAX_DELAY): Promise<void> {
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
      step = Math.min(this.#delay, cap);
      // Capped steps do not count as backing off: after them the backoff goes on from the cap, so a call
      // whose queue is not ready yet (its wait thread still starting) does not jump to 50 ms steps.
      this.#delay = Math.min(this.#delay * 2, Math.max(cap * 2, FIRST_DELAY), MAX_DELAY);
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
