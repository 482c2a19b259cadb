import nodeFs from 'node:fs';
import path from 'node:path';
import { lockedError } from './errors.js';
import { closeQuietly, openFolder, sleepSync, tryFlock, tryGuard } from './kernel-guard.js';
import type { LockfileFs } from './options.js';

/**
 * proper-lockfile's on-disk lock: an empty folder `<file>.lock` made by mkdir, whose mtime the holder keeps
 * fresh; a folder whose mtime is older than `stale` may be removed and made again. The drop-in writes the
 * same folder, and adds two things the real package does not look at (see kernel-guard.ts):
 * - every attempt runs under a flock of the folder's parent, so two drop-in processes never both remove a
 *   stale folder and both make a new one (proper-lockfile's two-holders race);
 * - the holder keeps a flock on its folder and marks the folder with the sticky bit (`chmod +t`, which an
 *   empty folder ignores), so another drop-in process knows at once that a marked folder whose flock is
 *   free has lost its holder (crashed), and that a folder whose flock is taken has a live holder, however
 *   old its mtime.
 */

const STICKY = 0o1000;

/** A lock folder this process made and holds. */
export interface Held {
  /** The folder's path, as proper-lockfile computes it. */
  readonly lockPath: string;
  /** Descriptor of the folder holding its flock, when the kernel helps here. */
  readonly fd: number | undefined;
  /** Inode of our folder: a folder with another inode is someone else's. */
  readonly ino: number;
  /** The mtime we last set (ms), the compromise check's reference. */
  mtime: number;
}

/** What one attempt found. */
export type Attempt = { kind: 'held'; held: Held } | { kind: 'busy'; error: Error } | { kind: 'guarded' };

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The lock folder of `file` (already resolved): proper-lockfile's `getLockFile`. */
export function lockPathOf(file: string, lockfilePath: string | undefined): string {
  return lockfilePath || `${file}.lock`;
}

/**
 * One attempt to take the lock folder, a few syscalls, synchronous. `guarded` means another drop-in
 * process is in the middle of its own attempt (microseconds): the caller tries again at once.
 * OS errors other than "exists" are thrown as they are (proper-lockfile passes them on too).
 */
export function attempt(lockPath: string, stale: number, fsx: LockfileFs, file = lockPath): Attempt {
  const guard = tryGuard(path.dirname(path.resolve(lockPath)));
  if (guard.busy) return { kind: 'guarded' };
  try {
    // Round 2 only follows a removal, and then (as proper-lockfile does) never removes again.
    for (let round = 0; round < 2; round++) {
      try {
        fsx.mkdirSync(lockPath);
      } catch (error) {
        if (code(error) !== 'EEXIST') throw error;
        const verdict = judge(lockPath, round === 0 ? stale : 0, fsx, file);
        if (verdict === 'gone') continue;
        if (verdict instanceof Error) return { kind: 'busy', error: verdict };
        remove(lockPath, fsx);
        continue;
      }
      return { kind: 'held', held: claim(lockPath, fsx, guard.fd !== undefined) };
    }
    return { kind: 'busy', error: lockedError(file) };
  } finally {
    closeQuietly(guard.fd);
  }
}

/** Make the folder we just created ours: flock it, mark it (only under the guard), set its mtime. */
function claim(lockPath: string, fsx: LockfileFs, guarded: boolean): Held {
  let fd = openFolder(lockPath);
  try {
    if (fd !== undefined && tryFlock(fd) !== true) {
      closeQuietly(fd);
      fd = undefined;
    }
    if (fd !== undefined && guarded) {
      // Marked only while the guard excludes every other drop-in attempt: a marked folder always has (or
      // had) a flock holder, so a free flock on it means that holder is gone.
      nodeFs.fchmodSync(fd, (nodeFs.fstatSync(fd).mode & 0o7777) | STICKY);
    }
    const now = new Date();
    fsx.utimesSync(lockPath, now, now);
    const stat = fsx.statSync(lockPath);
    return { lockPath, fd, ino: stat.ino, mtime: stat.mtime.getTime() };
  } catch (error) {
    closeQuietly(fd);
    try {
      fsx.rmdirSync(lockPath);
    } catch {
      // proper-lockfile ignores this too: the folder goes stale
    }
    throw error;
  }
}

/**
 * Whether an existing folder may be taken over: `'gone'` (it vanished: try again), `'take'` (its holder is
 * gone or it is stale) or the `ELOCKED` error to report.
 */
function judge(lockPath: string, stale: number, fsx: LockfileFs, file: string): 'gone' | 'take' | Error {
  const fd = openFolder(lockPath);
  try {
    const free = fd === undefined ? undefined : tryFlock(fd);
    if (free === false) return lockedError(file, 'its holder is alive');
    let stat: nodeFs.Stats;
    try {
      stat = fsx.statSync(lockPath);
    } catch (error) {
      if (code(error) === 'ENOENT') return 'gone';
      throw error;
    }
    if (stale <= 0) return lockedError(file);
    if (fd !== undefined && free) {
      const own = nodeFs.fstatSync(fd);
      // Marked, flock free, still the folder at the path: its drop-in holder died without removing it.
      if (own.mode & STICKY && own.ino === stat.ino && own.nlink > 0) return 'take';
    }
    return stat.mtime.getTime() < Date.now() - stale ? 'take' : lockedError(file);
  } finally {
    closeQuietly(fd);
  }
}

function remove(lockPath: string, fsx: LockfileFs): void {
  try {
    fsx.rmdirSync(lockPath);
  } catch (error) {
    if (code(error) !== 'ENOENT') throw error;
  }
}

/**
 * Release: remove the folder if it is still ours (same inode), then drop the flock. proper-lockfile removes
 * whatever folder is there; a folder with another inode is someone else's lock, and stays.
 */
export function release(held: Held, fsx: LockfileFs): void {
  try {
    let stat: nodeFs.Stats;
    try {
      stat = fsx.statSync(held.lockPath);
    } catch (error) {
      if (code(error) === 'ENOENT') return;
      throw error;
    }
    if (stat.ino === held.ino) remove(held.lockPath, fsx);
  } finally {
    closeQuietly(held.fd);
  }
}

/** How often `isLocked` looks again for the guard that another attempt holds for microseconds, 1 ms apart. */
const CHECK_GUARD_TRIES = 5;

/**
 * proper-lockfile's `check`: is there a fresh lock folder? A marked folder is answered by its flock
 * (held: locked whatever its age; free: its holder is gone). The folder's flock is tried only under the
 * guard: an attempt in another process makes and flocks its folder under the guard, and a check's
 * momentary flock at that instant would cost that holder its flock (and its crash recovery). When the
 * guard stays busy, the answer is proper-lockfile's own: by the folder's age.
 */
export function isLocked(lockPath: string, stale: number, fsx: LockfileFs): boolean {
  let stat: nodeFs.Stats;
  try {
    stat = fsx.statSync(lockPath);
  } catch (error) {
    if (code(error) === 'ENOENT') return false;
    throw error;
  }
  const fresh = !(stat.mtime.getTime() < Date.now() - stale);
  let guard = tryGuard(path.dirname(path.resolve(lockPath)));
  for (let i = 1; guard.busy && i < CHECK_GUARD_TRIES; i++) {
    sleepSync(1);
    guard = tryGuard(path.dirname(path.resolve(lockPath)));
  }
  if (guard.busy) return fresh;
  const fd = openFolder(lockPath);
  try {
    const free = fd === undefined ? undefined : tryFlock(fd);
    if (free === false) return true;
    if (fd !== undefined && free && nodeFs.fstatSync(fd).mode & STICKY) return false;
  } finally {
    closeQuietly(fd);
    closeQuietly(guard.fd);
  }
  return fresh;
}
