import { monotonicMs } from '../clock.js';
import type { Backend } from './backends/backend.js';
import { FIRST_DELAY, MAX_DELAY, MAX_TIMER } from './wait-policy.js';

/**
 * `setTimeout` for any delay: one past the longest timer is waited out as a chain of timers (a single
 * one would warn `TimeoutOverflowWarning` and fire after 1 ms). Returns a function that cancels it.
 */
export function longTimeout(fn: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const end = monotonicMs() + ms;
  const arm = (left: number) => {
    timer = setTimeout(
      () => {
        const rest = end - monotonicMs();
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
