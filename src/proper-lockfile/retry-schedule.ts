/**
 * proper-lockfile's `retries` option, read as the `retry` package (0.12) reads it: the delays between
 * attempts, `forever` (start the schedule over when it runs out), `maxRetryTime` and `unref`. The drop-in
 * does not sleep through these delays: they bound a wait that also ends as soon as the lock folder changes
 * (see wait.ts), so the schedule decides only when a waiter gives up.
 */

/** The `retry` package's options object (the fields proper-lockfile passes on). */
export interface RetryOptions {
  /** Attempts after the first. Default 10 when an object is given (0 when `retries` is omitted). */
  retries?: number;
  /** Growth of the delay between attempts. Default 2. */
  factor?: number;
  /** First delay, in ms. Default 1000. */
  minTimeout?: number;
  /** Largest delay, in ms. Default Infinity. */
  maxTimeout?: number;
  /** Multiply each delay by a random factor between 1 and 2. Default false. */
  randomize?: boolean;
  /** Keep retrying with the last schedule until the lock is free. Default false. */
  forever?: boolean;
  /** Do not keep the process alive while waiting. Default false. */
  unref?: boolean;
  /** Give up once this many ms have passed since the first attempt. Default Infinity. */
  maxRetryTime?: number;
}

/** A normalised schedule: the delays (ascending) and how the retry package would use them. */
export interface RetrySchedule {
  delays: number[];
  forever: boolean;
  unref: boolean;
  maxRetryTime: number;
}

function delay(
  attempt: number,
  options: Required<Pick<RetryOptions, 'factor' | 'minTimeout' | 'maxTimeout' | 'randomize'>>,
): number {
  const random = options.randomize ? Math.random() + 1 : 1;
  const timeout = Math.round(random * options.minTimeout * options.factor ** attempt);
  return Math.min(timeout, options.maxTimeout);
}

/**
 * The schedule of `retries` (already normalised to an object or an array of delays).
 *
 * @throws {Error} `minTimeout is greater than maxTimeout`, as the retry package throws it.
 */
export function retrySchedule(retries: RetryOptions | readonly number[]): RetrySchedule {
  if (Array.isArray(retries)) {
    return { delays: [...retries], forever: false, unref: false, maxRetryTime: Number.POSITIVE_INFINITY };
  }
  const given = retries as RetryOptions;
  const options = {
    retries: 10,
    factor: 2,
    minTimeout: 1000,
    maxTimeout: Number.POSITIVE_INFINITY,
    randomize: false,
    ...given,
  };
  if (options.minTimeout > options.maxTimeout) throw new Error('minTimeout is greater than maxTimeout');
  const delays: number[] = [];
  let attempt = 0;
  for (; attempt < options.retries; attempt++) delays.push(delay(attempt, options));
  if (given.forever && delays.length === 0) delays.push(delay(attempt, options));
  delays.sort((a, b) => a - b);
  return {
    delays,
    forever: given.forever === true,
    unref: given.unref === true,
    maxRetryTime: given.maxRetryTime || Number.POSITIVE_INFINITY,
  };
}

/**
 * Walks a schedule: `next()` gives the delay before the next attempt, or `undefined` when the waiter gives
 * up (the retry package's `operation.retry(err)` returning false).
 */
export class RetryCursor {
  readonly #schedule: RetrySchedule;
  #remaining: number[];
  readonly #started = Date.now();

  constructor(schedule: RetrySchedule) {
    this.#schedule = schedule;
    this.#remaining = [...schedule.delays];
  }

  next(): number | undefined {
    if (Date.now() - this.#started >= this.#schedule.maxRetryTime) return undefined;
    if (this.#remaining.length === 0) {
      if (!this.#schedule.forever) return undefined;
      this.#remaining = [...this.#schedule.delays];
    }
    return this.#remaining.shift();
  }
}
