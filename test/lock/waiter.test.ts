// A waiting call retries on its backoff for QUEUE_AFTER ms before it asks the backend to wait in its own
// queue (the kernel's flock queue, a server's): under contention a hot lock is then taken again by a
// process that is awake, not handed to a sleeping one on every release. The backend here records what
// the core asks of it, which a real backend cannot show.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type Backend, type BackendGrant, lock } from '../../src/index.js';
import { QUEUE_AFTER } from '../../src/lock/waiter.js';
import { tempDir } from '../helpers/tmp.js';

interface Attempt {
  /** ms since the call began, measured before the call: never less than the core's own measure. */
  at: number;
  wait: number | undefined;
}

function recordingBackend(maxWait: number) {
  const attempts: Attempt[] = [];
  let start = 0;
  const grant: BackendGrant = { release: () => {}, watchLoss: () => () => {} };
  const backend: Backend = {
    name: 'recording',
    supportsShared: false,
    maxWait,
    // Busy until the core asks it to wait in its queue; then granted.
    tryAcquire: (_key, _mode, _holder, options) => {
      attempts.push({ at: performance.now() - start, wait: options?.wait });
      return options?.wait ? grant : undefined;
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

describe('a waiting call joins the backend queue after QUEUE_AFTER ms', { timeout: 10_000 }, () => {
  const dir = tempDir();

  it('retries without waiting in the queue first, then waits there (at most maxWait)', async () => {
    const recording = recordingBackend(2_000);
    recording.begin();
    const handle = await lock(path.join(dir, 'hot'), { backend: recording.backend });
    await handle.release();
    const { attempts } = recording;
    const queued = attempts.findIndex((a) => (a.wait ?? 0) > 0);
    assert.ok(queued >= 2, `retried before queueing: ${JSON.stringify(attempts)}`);
    for (const early of attempts.slice(0, queued)) assert.ok(!early.wait, JSON.stringify(attempts));
    assert.ok(attempts[queued]!.at >= QUEUE_AFTER, JSON.stringify(attempts));
    assert.ok(attempts[queued]!.wait! <= 2_000);
    // Every attempt made before QUEUE_AFTER ms had passed was a plain retry.
    for (const a of attempts) if (a.at < QUEUE_AFTER) assert.ok(!a.wait, JSON.stringify(attempts));
  });

  it('a timeout shorter than QUEUE_AFTER never waits in the queue', async () => {
    const recording = recordingBackend(2_000);
    recording.begin();
    await assert.rejects(
      lock(path.join(dir, 'short'), { backend: recording.backend, timeout: QUEUE_AFTER / 2 }),
      { code: 'LOCK_TIMEOUT' },
    );
    assert.ok(recording.attempts.length >= 2);
    for (const a of recording.attempts) assert.ok(!a.wait, JSON.stringify(recording.attempts));
  });
});
