// A waiting call retries on a short backoff for its backend's `queueAfter` ms before it asks the backend
// to wait in its own queue (the kernel's flock queue): under contention a hot lock is then taken again by
// a process that is awake, not handed to a sleeping one on every release. The backend here records what
// the core asks of it, which a real backend cannot show. Time is Node's mock timers and a mocked
// `performance.now()`: the tests assert what the core and the Waker schedule, never wall-clock gaps, so
// busy cores beside them change nothing.
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { type Backend, type BackendGrant, lock } from '../../src/index.js';
import { FIRST_DELAY, MAX_DELAY, RETRY_STEP, Waker } from '../../src/lock/waiter.js';
import { tempDir } from '../helpers/tmp.js';

/** A clock that moves only when told: setTimeout is Node's mock, performance.now() follows it. */
function fakeClock() {
  let now = 0;
  mock.timers.enable({ apis: ['setTimeout'] });
  mock.method(performance, 'now', () => now);
  return {
    now: () => now,
    /** Advance 1 ms at a time, letting promises and I/O run between steps, until `done` or `limit` ms. */
    async run<T>(promise: Promise<T>, limit = 10_000): Promise<T> {
      let settled = false;
      promise.then(
        () => {
          settled = true;
        },
        () => {
          settled = true;
        },
      );
      for (let i = 0; !settled && i < limit; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        if (settled) break;
        now += 1;
        mock.timers.tick(1);
      }
      return promise;
    },
  };
}

interface Attempt {
  /** ms since the call began, measured before the call: never less than the core's own measure. */
  at: number;
  wait: number | undefined;
}

/**
 * Busy until the core asks it to wait in its queue; then granted, or, with `queueNotReady`, still busy
 * at once (its queue not ready yet) for that many attempts.
 */
function recordingBackend(queueAfter: number | undefined, queueNotReady = 0) {
  const attempts: Attempt[] = [];
  let start = 0;
  const grant: BackendGrant = { release: () => {}, watchLoss: () => () => {} };
  const backend: Backend = {
    name: 'recording',
    supportsShared: false,
    maxWait: 2_000,
    queueAfter,
    tryAcquire: (_key, _mode, _holder, options) => {
      attempts.push({ at: performance.now() - start, wait: options?.wait });
      if (!options?.wait) return undefined;
      return attempts.filter((a) => a.wait).length > queueNotReady ? grant : undefined;
    },
    inspect: () => ({ locked: true }),
  };
  return {
    backend,
    attempts,
    begin: () => {
      start = performance.now();
    },
  };
}

describe('a waiting call joins the backend queue after queueAfter ms', { timeout: 10_000 }, () => {
  const dir = tempDir();
  let clock: ReturnType<typeof fakeClock>;
  beforeEach(() => {
    clock = fakeClock();
  });
  afterEach(() => {
    mock.timers.reset();
    mock.restoreAll();
  });

  it('retries on steps of at most 8 ms without waiting in the queue first, then waits there', async () => {
    const recording = recordingBackend(100);
    recording.begin();
    const handle = await clock.run(lock(path.join(dir, 'hot'), { backend: recording.backend }));
    await handle.release();
    const { attempts } = recording;
    const shown = JSON.stringify(attempts);
    const queued = attempts.findIndex((a) => (a.wait ?? 0) > 0);
    // Steps capped at 8 ms make 13 or more retries in 100 ms; the usual doubling backoff would make 7.
    assert.ok(queued >= 13, `retried often before queueing: ${shown}`);
    for (const early of attempts.slice(0, queued)) assert.ok(!early.wait, shown);
    assert.ok(attempts[queued]!.at >= 100, shown);
    // Each step is at most 8 ms (plus the clock's 1 ms resolution), and the queue is joined on time.
    for (let i = 1; i < queued; i++) {
      assert.ok(attempts[i]!.at - attempts[i - 1]!.at <= RETRY_STEP + 1, `steps of at most 8 ms: ${shown}`);
    }
    assert.ok(attempts[queued]!.at <= 101, shown);
    assert.ok(attempts[queued]!.wait! > MAX_DELAY && attempts[queued]!.wait! <= 2_000, shown);
  });

  it('a queue not ready when the retrying ends is asked again on the backoff that follows the retries', async () => {
    const recording = recordingBackend(30, 2);
    recording.begin();
    const handle = await clock.run(lock(path.join(dir, 'not-ready'), { backend: recording.backend }));
    await handle.release();
    const asked = recording.attempts.filter((a) => a.wait);
    assert.equal(asked.length, 3, JSON.stringify(recording.attempts));
    // The backoff goes on from the 8 ms retry steps (8-16 ms, then 16-32 ms, jittered to half or more);
    // had the retries not counted, the first step would be 25-50 ms.
    const first = asked[1]!.at - asked[0]!.at;
    const second = asked[2]!.at - asked[1]!.at;
    assert.ok(first >= 8 && first <= 17, JSON.stringify(recording.attempts));
    assert.ok(second >= 8 && second <= 33, JSON.stringify(recording.attempts));
  });

  it('a timeout shorter than queueAfter never waits in the queue', async () => {
    const recording = recordingBackend(60);
    recording.begin();
    await assert.rejects(
      clock.run(lock(path.join(dir, 'short'), { backend: recording.backend, timeout: 30 })),
      {
        code: 'LOCK_TIMEOUT',
      },
    );
    assert.ok(recording.attempts.length >= 5, JSON.stringify(recording.attempts));
    for (const a of recording.attempts) assert.ok(!a.wait, JSON.stringify(recording.attempts));
    // It gave up at its deadline, not before or long after.
    assert.ok(clock.now() >= 30 && clock.now() <= 31, String(clock.now()));
  });

  it('a backend without queueAfter is asked to wait from the first retry', async () => {
    const recording = recordingBackend(undefined);
    recording.begin();
    const handle = await clock.run(lock(path.join(dir, 'queue'), { backend: recording.backend }));
    await handle.release();
    assert.equal(recording.attempts.length, 2, JSON.stringify(recording.attempts));
    assert.ok(!recording.attempts[0]!.wait);
  });
});

describe('what the Waker schedules', { timeout: 10_000 }, () => {
  const noWatch = { watch: undefined } as unknown as Backend;
  let clock: ReturnType<typeof fakeClock>;
  beforeEach(() => {
    clock = fakeClock();
  });
  afterEach(() => {
    mock.timers.reset();
    mock.restoreAll();
  });

  /** How long each of `n` waits lasted on the mock clock. */
  async function steps(waker: Waker, n: number, cap?: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const began = clock.now();
      await clock.run(waker.wait(10_000, undefined, cap));
      out.push(clock.now() - began);
    }
    return out;
  }

  it('backs off 1, 2, 4... ms up to MAX_DELAY, with no jitter when random is at its top', async () => {
    mock.method(Math, 'random', () => 1);
    const waker = new Waker(noWatch, 'k');
    assert.deepEqual(await steps(waker, 8), [1, 2, 4, 8, 16, 32, MAX_DELAY, MAX_DELAY]);
    waker.close();
  });

  it('jitters each step down to half, never more', async () => {
    mock.method(Math, 'random', () => 0);
    const waker = new Waker(noWatch, 'k');
    // Half of 1, 2, 4, 8, 16, 32, 50, on a clock of 1 ms steps.
    assert.deepEqual(await steps(waker, 7), [1, 1, 2, 4, 8, 16, MAX_DELAY / 2]);
    waker.close();
  });

  it('a cap holds the steps, and the backoff goes on from the cap afterwards', async () => {
    mock.method(Math, 'random', () => 1);
    const waker = new Waker(noWatch, 'k');
    assert.deepEqual(await steps(waker, 6, RETRY_STEP), [1, 2, 4, 8, 8, 8]);
    assert.deepEqual(await steps(waker, 3), [16, 32, MAX_DELAY]);
    waker.close();
  });

  it('never waits past its limit', async () => {
    mock.method(Math, 'random', () => 1);
    const waker = new Waker(noWatch, 'k');
    await steps(waker, 6);
    const began = clock.now();
    await clock.run(waker.wait(3, undefined));
    assert.equal(clock.now() - began, 3);
    waker.close();
  });

  it('a change event wakes it at once, then one quick re-check, without restarting the backoff', async () => {
    mock.method(Math, 'random', () => 1);
    let notify: (() => void) | undefined;
    const watching = {
      watch: (_key: string, onChange: () => void) => {
        notify = onChange;
        return () => {};
      },
    } as unknown as Backend;
    const waker = new Waker(watching, 'k');
    assert.deepEqual(await steps(waker, 4), [1, 2, 4, 8]);
    const began = clock.now();
    const woken = waker.wait(10_000, undefined);
    notify?.();
    await clock.run(woken);
    assert.equal(clock.now() - began, 0, 'woken by the event, not the timer');
    // One re-check after FIRST_DELAY, then the backoff where it was (the woken wait had taken the 16 ms
    // step, so 32), not from 1 again.
    assert.deepEqual(await steps(waker, 2), [FIRST_DELAY, 32]);
    // An event between two waits makes the next one return at once.
    notify?.();
    assert.deepEqual(await steps(waker, 1), [0]);
    waker.close();
  });

  it("rejects with the signal's reason on abort", async () => {
    const waker = new Waker(noWatch, 'k');
    const controller = new AbortController();
    const waiting = waker.wait(10_000, controller.signal, MAX_DELAY);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    waker.close();
  });
});
