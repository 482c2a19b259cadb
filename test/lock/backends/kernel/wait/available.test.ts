import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LockInvalidArgumentError } from '../../../../../src/errors.js';
import {
  boundedBarging,
  queueWaitsAvailable,
  waitStrategy,
} from '../../../../../src/lock/backends/kernel/wait/index.js';
import { setEnv } from '../../../../helpers/env.js';

describe('how kernel waits wait', () => {
  it('in the wait queue on Linux, polling elsewhere', () => {
    assert.equal(
      waitStrategy(),
      process.platform === 'linux' || process.platform === 'win32' ? 'queue' : 'poll',
    );
  });

  it('LOCKSMITH_WAIT=poll turns the queue off, as LOCKSMITH_WAIT_THREADS=0 still does', (t) => {
    setEnv(t, 'LOCKSMITH_WAIT', 'poll');
    assert.equal(queueWaitsAvailable(), false);
    setEnv(t, 'LOCKSMITH_WAIT', '');
    setEnv(t, 'LOCKSMITH_WAIT_THREADS', '0');
    assert.equal(queueWaitsAvailable(), false);
  });

  it('LOCKSMITH_WAIT=barge keeps the wait queue, with bounded barging', (t) => {
    assert.equal(boundedBarging(), false, 'strict arrival order by default');
    setEnv(t, 'LOCKSMITH_WAIT', 'barge');
    assert.equal(boundedBarging(), true);
    assert.equal(
      waitStrategy(),
      process.platform === 'linux' || process.platform === 'win32' ? 'queue' : 'poll',
    );
  });

  it('an unknown LOCKSMITH_WAIT is refused with LOCK_INVALID_ARGUMENT', (t) => {
    setEnv(t, 'LOCKSMITH_WAIT', 'threads');
    assert.throws(
      () => waitStrategy(),
      (error: unknown) => {
        assert.ok(error instanceof LockInvalidArgumentError);
        assert.match(error.message, /LOCKSMITH_WAIT must be one of queue, barge, poll, not "threads"/);
        return true;
      },
    );
  });
});
