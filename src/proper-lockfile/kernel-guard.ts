import fs from 'node:fs';
import type { NativeLock } from '../lock/backends/kernel/native-lock.js';
import { createPosixLock } from '../lock/backends/kernel/posix.js';

/**
 * flock(2) on folders, which the drop-in adds to proper-lockfile's protocol without changing its files:
 * - the *guard*, a flock on the lock folder's parent, held for the few syscalls of one attempt, so that no
 *   two drop-in processes look at and replace the same lock folder at once (proper-lockfile's own race);
 * - the *hold*, a flock on the lock folder itself, kept while the lock is held, so that other drop-in
 *   processes know at once whether its holder is alive: the kernel drops it when the holder dies.
 * flock on a folder needs POSIX (not Windows) and a file system with flock; where it is missing, every
 * function here says so (`undefined`) and the drop-in is exactly as safe as proper-lockfile.
 */

let native: NativeLock | null | undefined;

function nativeLock(): NativeLock | undefined {
  if (native === undefined) {
    try {
      native = process.platform === 'win32' ? null : createPosixLock();
    } catch {
      native = null; // koffi or libc unavailable: no kernel help, proper-lockfile's protocol alone
    }
  }
  return native ?? undefined;
}

/** Open a folder read-only (never following into a file); `undefined` when it cannot be opened. */
export function openFolder(folder: string): number | undefined {
  if (!nativeLock()) return undefined;
  try {
    return fs.openSync(folder, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch {
    return undefined;
  }
}

/** One non-blocking exclusive flock attempt on an open folder: true when held, false when busy. */
export function tryFlock(fd: number): boolean | undefined {
  const lock = nativeLock();
  if (!lock) return undefined;
  try {
    for (let i = 0; i < 3; i++) {
      const attempt = lock.tryLock(fd, 'exclusive');
      if (attempt !== 'interrupted') return attempt === 'held';
    }
    return false;
  } catch {
    return undefined; // a file system without flock (some network mounts): no kernel help there
  }
}

export function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    fs.closeSync(fd);
  } catch {
    // already closed: closing is also what drops the flock, so nothing is left held
  }
}

/** Busy-wait step for the sync API: sleep `ms` without spinning the CPU. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Take the guard of `folder` (the lock folder's parent): the fd holding it, or undefined (busy/none). */
export function tryGuard(folder: string): { fd: number | undefined; busy: boolean } {
  const fd = openFolder(folder);
  if (fd === undefined) return { fd: undefined, busy: false };
  const held = tryFlock(fd);
  if (held === true) return { fd, busy: false };
  closeQuietly(fd);
  return { fd: undefined, busy: held === false };
}
