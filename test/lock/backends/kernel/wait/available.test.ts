import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LockInvalidArgumentError } from '../../../../../src/errors.js';
import {
  forgetWaitEnvironment,
  queueWaitsAvailable,
  strictOrder,
  waitStrategy,
} from '../../../../../src/lock/backends/kernel/wait/index.js';
import { setEnv } from '../../../../helpers/env.js';
import { setWaitEnv } from '../../../../helpers/wait-queue.js';

describe('how kernel waits wait', () => {
  it('in the wait queue on Linux, polling elsewhere', () => {
    assert.equal(
      waitStrategy(),
      process.platform === 'linux' || process.platform === 'win32' ? 'queue' : 'poll',
    );
  });

  it('LOCKSMITH_WAIT=poll turns the queue off, as LOCKSMITH_WAIT_THREADS=0 still does', (t) => {
    setWaitEnv(t, 'LOCKSMITH_WAIT', 'poll');
    assert.equal(queueWaitsAvailable(), false);
    setWaitEnv(t, 'LOCKSMITH_WAIT', '');
    setWaitEnv(t, 'LOCKSMITH_WAIT_THREADS', '0');
    assert.equal(queueWaitsAvailable(), false);
  });

  it('LOCKSMITH_WAIT=fifo keeps the wait queue, without turns', (t) => {
    assert.equal(strictOrder(), false, 'turns by default');
    setWaitEnv(t, 'LOCKSMITH_WAIT', 'fifo');
    assert.equal(strictOrder(), true);
    assert.equal(
      waitStrategy(),
      process.platform === 'linux' || process.platform === 'win32' ? 'queue' : 'poll',
    );
  });

  it('an unknown LOCKSMITH_WAIT is refused with LOCK_INVALID_ARGUMENT', (t) => {
    setWaitEnv(t, 'LOCKSMITH_WAIT', 'threads');
    assert.throws(
      () => waitStrategy(),
      (error: unknown) => {
        assert.ok(error instanceof LockInvalidArgumentError);
        assert.match(error.message, /LOCKSMITH_WAIT must be one of queue, fifo, poll, not "threads"/);
        return true;
      },
    );
  });

  it('is read once per process, at the first ask: a later change of the variable changes nothing', (t) => {
    forgetWaitEnvironment();
    t.after(forgetWaitEnvironment);
    const first = waitStrategy();
    setEnv(t, 'LOCKSMITH_WAIT', first === 'queue' ? 'poll' : 'queue');
    assert.equal(waitStrategy(), first);
    assert.equal(strictOrder(), false);
  });
});
