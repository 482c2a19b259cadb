// The flock(2) binding's error shaping: an errno read through FFI becomes an Error shaped like Node's own.
import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import { errnoError } from '../../../../src/lock/backends/kernel/posix.js';

describe('errnoError', { timeout: 10_000 }, () => {
  it("names the errno as Node's system errors do", () => {
    const { ENOLCK, EBADF } = os.constants.errno;
    const error = errnoError(ENOLCK, 'flock');
    assert.equal(error.code, 'ENOLCK');
    assert.equal(error.errno, ENOLCK);
    assert.equal(error.syscall, 'flock');
    assert.equal(error.message, 'flock: ENOLCK');
    assert.equal(errnoError(EBADF, 'flock').code, 'EBADF');
  });
});
