// How long the core asks a backend to wait in its own queue (TryOptions.wait) is the core's choice, made
// in src/lock/wait-policy.ts from one capability flag (`Backend.queues`): the backend here records what
// the core asks of it, which a real backend cannot show. Nothing here measures wall-clock gaps.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Backend, BackendGrant } from '../../src/backend.js';
import { lock, tryLock } from '../../src/index.js';
import { MAX_DELAY, QUEUE_WAIT, waitFor } from '../../src/lock/wait-policy.js';
import { tempDir } from '../helpers/tmp.js';

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
