// A waiting call retries on a short backoff for its backend's `queueAfter` ms before it asks the backend
// to wait in its own queue (the kernel's flock queue): under contention a hot lock is then taken again by
// a process that is awake, not handed to a sleeping one on every release. The backend here records what
// the core asks of it, which a real backend cannot show.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type Backend, type BackendGrant, lock } from '../../src/index.js';
import { MAX_DELAY, RETRY_STEP } from '../../src/lock/waiter.js';
import { tempDir } from '../helpers/tmp.js';

interface Attempt {
  /** ms since the call began, measured before the call: never less than the core's own measure. */
  at: number;
  wait: number | undefined;
}

/**
 * Busy until the core asks it to wait in its queue; then granted, or, with `queueNotReady`, still busy
 * at once (its queue not ready yet, as a kernel wait whose thread is starting) for that many attempts.
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

  it('retries on steps of at most 8 ms without waiting in the queue first, then waits there', async () => {
    const recording = recordingBackend(100);
    recording.begin();
    const handle = await lock(path.join(dir, 'hot'), { backend: recording.backend });
    await handle.release();
    const { attempts } = recording;
    const shown = JSON.stringify(attempts);
    const queued = attempts.findIndex((a) => (a.wait ?? 0) > 0);
    // Steps capped at 8 ms make 13 or more retries in 100 ms; the usual doubling backoff would make 7.
    assert.ok(queued >= 11, `retried often before queueing: ${shown}`);
    for (const early of attempts.slice(0, queued)) assert.ok(!early.wait, shown);
    assert.ok(attempts[queued]!.at >= 100, shown);
    for (let i = 1; i < queued; i++) {
      assert.ok(attempts[i]!.at - attempts[i - 1]!.at <= RETRY_STEP + 10, `steps of at most 8 ms: ${shown}`);
    }
    assert.ok(attempts[queued]!.wait! > MAX_DELAY && attempts[queued]!.wait! <= 2_000, shown);
  });

  it('a queue not ready when the retrying ends is asked again on the backoff that follows the retries', async () => {
    const recording = recordingBackend(30, 2);
    recording.begin();
    const handle = await lock(path.join(dir, 'not-ready'), { backend: recording.backend });
    await handle.release();
    const asked = recording.attempts.filter((a) => a.wait);
    assert.equal(asked.length, 3, JSON.stringify(recording.attempts));
    // The backoff goes on from the 8 ms retry steps (8-16 ms, then 16-32 ms), with room for a late timer;
    // had the retries not counted, the first step would be 25-50 ms.
    assert.ok(asked[1]!.at - asked[0]!.at < 25, JSON.stringify(recording.attempts));
  });

  it('a timeout shorter than queueAfter never waits in the queue', async () => {
    const recording = recordingBackend(60);
    recording.begin();
    await assert.rejects(lock(path.join(dir, 'short'), { backend: recording.backend, timeout: 30 }), {
      code: 'LOCK_TIMEOUT',
    });
    assert.ok(recording.attempts.length >= 2);
    for (const a of recording.attempts) assert.ok(!a.wait, JSON.stringify(recording.attempts));
  });

  it('a backend without queueAfter is asked to wait from the first retry', async () => {
    const recording = recordingBackend(undefined);
    recording.begin();
    const handle = await lock(path.join(dir, 'queue'), { backend: recording.backend });
    await handle.release();
    assert.equal(recording.attempts.length, 2, JSON.stringify(recording.attempts));
    assert.ok(!recording.attempts[0]!.wait);
  });
});
