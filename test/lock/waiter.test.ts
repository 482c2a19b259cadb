// How long the core asks a backend to wait in its own queue (TryOptions.wait) is the core's choice, made
// in src/lock/wait-policy.ts from one capability flag (`Backend.queues`): the backend here records what
// the core asks of it, which a real backend cannot show. The Waker runs on Node's mock timers and a mocked
// `performance.now()`: nothing here measures wall-clock gaps, so busy cores beside it change nothing.
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { Backend, BackendGrant } from '../../src/backend.js';
import { lock, tryLock } from '../../src/index.js';
import { FIRST_DELAY, MAX_DELAY, QUEUE_WAIT, waitFor } from '../../src/lock/wait-policy.js';
import { Waker } from '../../src/lock/waiter.js';
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

/**
 * Busy until the core asks it to wait; then granted, or, with `queueNotReady`, still busy at once (its
 * queue not ready yet, as a kernel wait whose thread is starting) for that many asks.
 */
function recordingBackend(queues: boolean | undefined, queueNotReady = 0) {
  const waits: (number | undefined)[] = [];
  const grant: BackendGrant = { release: () => {}, watchLoss: () => () => {} };
  const backend: Backend = {
    name: 'recording',
    supportsShared: false,
    queues,
    tryAcquire: (_key, _mode, _holder, options) => {
      waits.push(options?.wait);
      if (!options?.wait) return undefined;
      return waits.filter((w) => w).length > queueNotReady ? grant : undefined;
    },
    inspect: () => ({ locked: true }),
  };
  return { backend, waits };
}

describe('the core decides how long a backend waits in its queue', { timeout: 10_000 }, () => {
  const dir = tempDir();

  it('a queueing backend is asked to wait long from the first retry; the first attempt never waits', async () => {
    const recording = recordingBackend(true);
    const handle = await lock(path.join(dir, 'queue'), { backend: recording.backend });
    await handle.release();
    const { waits } = recording;
    assert.equal(waits.length, 2, JSON.stringify(waits));
    assert.equal(waits[0], undefined);
    assert.ok(waits[1]! > MAX_DELAY && waits[1]! <= QUEUE_WAIT, JSON.stringify(waits));
  });

  it('a backend that does not queue is asked to wait one backoff step at most', async () => {
    const recording = recordingBackend(undefined);
    const handle = await lock(path.join(dir, 'step'), { backend: recording.backend });
    await handle.release();
    assert.ok(recording.waits[1]! > 0 && recording.waits[1]! <= MAX_DELAY, JSON.stringify(recording.waits));
  });

  it('a queue not ready is asked again after a backoff step', async () => {
    const recording = recordingBackend(true, 2);
    const handle = await lock(path.join(dir, 'not-ready'), { backend: recording.backend });
    await handle.release();
    assert.equal(recording.waits.filter((w) => w).length, 3, JSON.stringify(recording.waits));
  });

  it('tryLock asks once, without waiting', async () => {
    const recording = recordingBackend(true);
    assert.equal(await tryLock(path.join(dir, 'try'), { backend: recording.backend }), undefined);
    assert.deepEqual(recording.waits, [undefined]);
  });

  it('the wait never passes the call deadline nor a timer limit', () => {
    const queueing = recordingBackend(true).backend;
    assert.equal(waitFor(queueing, 20), 20);
    assert.equal(waitFor(queueing, -5), 0);
    assert.equal(waitFor(queueing, Number.POSITIVE_INFINITY), QUEUE_WAIT);
    assert.equal(waitFor(recordingBackend(false).backend, 1_000), MAX_DELAY);
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
    assert.deepEqual(await steps(waker, 6, 8), [1, 2, 4, 8, 8, 8]);
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
