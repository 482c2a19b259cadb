import type { LockMode } from '../backend.js';

/** The result of one non-blocking attempt on a descriptor. */
export type NativeAttempt = 'held' | 'busy' | 'interrupted';

/**
 * The platform primitive under the kernel backend: flock(2) on POSIX, LockFileEx on Windows.
 * Everything else (descriptor cache, inode check, holder record, wake-ups) is shared in `kernel.ts`.
 */
export interface NativeLock {
  /** Non-blocking attempt. Throws a `LocksmithError` on real failures. */
  tryLock(fd: number, mode: LockMode): NativeAttempt;
  unlock(fd: number): void;
  /** Where the holder record starts in the lock file (Windows locks byte 0 itself, as Python's filelock does). */
  readonly recordOffset: number;
  /**
   * Where the OS can say when a lock's holder exits (Windows): call `onExit` once when the process that
   * holds the lock on `fd` ends, and return what cancels that; undefined when the holder cannot be known
   * for sure (then the wait queue's head polls for it).
   */
  watchHolderExit?(fd: number, onExit: () => void): (() => void) | undefined;
  /**
   * Where the OS can say when a process ends (Windows): call `onExit` once when process `pid` ends, if
   * that process was created before `createdBeforeMs` (ms since the epoch; a later one reused the pid),
   * and return what cancels that; undefined when it cannot watch that process (then the wait queue's
   * waiters check on the waiters before them every `IDLE_CHECK_MS`).
   */
  watchProcessExit?(pid: number, createdBeforeMs: number, onExit: () => void): (() => void) | undefined;
}
