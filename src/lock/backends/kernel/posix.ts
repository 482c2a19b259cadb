import { createRequire } from 'node:module';
import os from 'node:os';
import { LockIOError, LockUnsupportedError } from '../../../errors.js';
import type { LockMode } from '../backend.js';
import { loadKoffi, loadLibc } from './ffi.js';
import type { NativeAttempt, NativeLock } from './native-lock.js';

// Same values on Linux, macOS and the BSDs.
const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

const { EAGAIN, EWOULDBLOCK, EINTR, ENOLCK, EOPNOTSUPP, ENOSYS, EINVAL } = os.constants.errno;

const require = createRequire(import.meta.url);

/** An Error shaped like Node's own system errors, for an errno read through FFI. */
export function errnoError(errno: number, syscall: string): NodeJS.ErrnoException {
  // Required here, on a failure: importing node:util loads its parseArgs and MIME modules (~0.5 ms).
  const util = require('node:util') as typeof import('node:util');
  let code = util.getSystemErrorName(-errno);
  // libuv names only the errnos it has codes for: ENOLCK, the answer of a filesystem without flock, is
  // "Unknown system error -37" there. os.constants.errno knows it.
  if (code.startsWith('Unknown')) {
    code = Object.entries(os.constants.errno).find(([, value]) => value === errno)?.[0] ?? code;
  }
  const error: NodeJS.ErrnoException = new Error(`${syscall}: ${code}`);
  error.code = code;
  error.errno = errno;
  error.syscall = syscall;
  return error;
}

/**
 * flock(2) through koffi. flock locks belong to the open file description, so closing another descriptor
 * of the same file does not drop them (unlike fcntl locks), and util-linux flock, Python filelock,
 * Rust std and Go use the same call: they all exclude each other on the same file.
 */
export function createPosixLock(): NativeLock {
  const koffi = loadKoffi();
  const libc = loadLibc();
  const flock = libc.func('int flock(int fd, int operation)') as (fd: number, op: number) => number;

  return {
    recordOffset: 0,
    tryLock(fd: number, mode: LockMode): NativeAttempt {
      if (flock(fd, (mode === 'shared' ? LOCK_SH : LOCK_EX) | LOCK_NB) === 0) return 'held';
      const errno = koffi.errno();
      if (errno === EWOULDBLOCK || errno === EAGAIN) return 'busy';
      if (errno === EINTR) return 'interrupted';
      const cause = errnoError(errno, 'flock');
      if (errno === ENOLCK || errno === EOPNOTSUPP || errno === ENOSYS || errno === EINVAL) {
        throw new LockUnsupportedError(`This filesystem does not support flock(2) (${cause.code})`, {
          cause,
        });
      }
      throw new LockIOError(`fd ${fd}`, 'lock', cause);
    },
    unlock(fd: number): void {
      // Only EBADF or EINTR are possible here; closing the descriptor releases the lock in any case.
      flock(fd, LOCK_UN);
    },
  };
}
