import nodeFs from 'node:fs';
import path from 'node:path';
import { notAcquiredError, releasedError, syncRetriesError } from './errors.js';
import { startHeartbeat } from './heartbeat.js';
import { addHeldLock, type HeldLock, heldLock, removeHeldLock } from './held-locks.js';
import { type Held, isLocked, lockPathOf, release } from './lock-folder.js';
import {
  asksForRetries,
  type CheckOptions,
  checkCommon,
  type LockfileFs,
  type LockOptions,
  type ResolvedLockOptions,
  resolveLockOptions,
  staleOf,
  type UnlockOptions,
} from './options.js';
import { acquireSync, acquire as acquireWaiting } from './wait.js';

/** proper-lockfile's `resolveCanonicalPath`: realpath (the file must exist) or path.resolve. */
function canonical(file: string, realpath: boolean | undefined, fsx: LockfileFs): string {
  return realpath === false ? path.resolve(file) : fsx.realpathSync(file);
}

/** Register a lock just taken, start its heartbeat, and give its release function's core. */
function hold(
  file: string,
  held: Held,
  options: ResolvedLockOptions,
  given: LockOptions | undefined,
): () => void {
  const lock: HeldLock = {
    file,
    held,
    fs: options.fs,
    released: false,
    stop: () => {},
  };
  lock.stop = startHeartbeat({
    file,
    held,
    fs: options.fs,
    stale: options.stale,
    update: options.update,
    onLost(error) {
      lock.released = true;
      removeHeldLock(lock);
      release(held, options.fs); // removes nothing that is not ours; drops our flock
      options.onCompromised(error);
    },
  });
  addHeldLock(lock);
  return () => {
    if (lock.released) throw releasedError(file);
    // As proper-lockfile does: releasing is unlocking the resolved file without realpath.
    unlockSync(file, { ...pick(given), realpath: false });
  };
}

function pick(given: LockOptions | undefined): UnlockOptions {
  const out: UnlockOptions = {};
  if (given?.fs) out.fs = given.fs;
  if (given?.lockfilePath) out.lockfilePath = given.lockfilePath;
  return out;
}

/**
 * Take the lock of `file`: proper-lockfile 4's `lock`, same options, defaults and errors, same folder on
 * disk. Resolves the function that releases it.
 *
 * @throws {ProperLockfileError} `ELOCKED` when it is held (after the `retries` schedule, if any).
 * @throws {Error} `ENOENT` (the OS error) for a missing file with `realpath: true`; other OS errors as they are.
 * @example
 * import lockfile from 'locksmith/proper-lockfile';
 * const release = await lockfile.lock('package.json', { retries: { retries: 5, minTimeout: 100 } });
 * try { await update(); } finally { await release(); }
 */
export async function lock(file: string, options?: LockOptions): Promise<() => Promise<void>> {
  const resolved = resolveLockOptions(file, options);
  const canonicalFile = canonical(file, resolved.realpath, resolved.fs);
  const lockPath = lockPathOf(canonicalFile, resolved.lockfilePath);
  const held = await acquireWaiting(lockPath, resolved.stale, resolved.fs, resolved.retries, canonicalFile);
  const releaseSync = hold(canonicalFile, held, resolved, options);
  return async () => releaseSync();
}

/**
 * Sync form of {@link lock}: one attempt, no retries (proper-lockfile's limit).
 *
 * @throws {ProperLockfileError} `ESYNC` when `retries` asks for retries; `ELOCKED` when it is held.
 * @example
 * const release = lockSync('state.json');
 * try { work(); } finally { release(); }
 */
export function lockSync(file: string, options?: LockOptions): () => void {
  if (asksForRetries(options)) throw syncRetriesError(typeof file === 'string' ? file : String(file));
  const resolved = resolveLockOptions(file, options);
  const canonicalFile = canonical(file, resolved.realpath, resolved.fs);
  const lockPath = lockPathOf(canonicalFile, resolved.lockfilePath);
  const held = acquireSync(lockPath, resolved.stale, resolved.fs, canonicalFile);
  return hold(canonicalFile, held, resolved, options);
}

/**
 * Release a lock of `file` this process holds (proper-lockfile's `unlockSync`).
 *
 * @throws {ProperLockfileError} `ENOTACQUIRED` when this process does not hold it.
 * @example
 * lockSync('state.json'); work(); unlockSync('state.json');
 */
export function unlockSync(file: string, options?: UnlockOptions): void {
  checkCommon(file, options);
  const fsx = options?.fs ?? nodeFs;
  const canonicalFile = canonical(file, options?.realpath, fsx);
  const lock = heldLock(canonicalFile);
  if (!lock) throw notAcquiredError(canonicalFile);
  lock.stop();
  lock.released = true;
  removeHeldLock(lock);
  release(lock.held, fsx);
}

/**
 * Release a lock of `file` this process holds (proper-lockfile's `unlock`).
 *
 * @throws {ProperLockfileError} `ENOTACQUIRED` when this process does not hold it.
 * @example
 * await lock('state.json'); await work(); await unlock('state.json');
 */
export async function unlock(file: string, options?: UnlockOptions): Promise<void> {
  unlockSync(file, options);
}

/**
 * Whether `file` is locked by a fresh lock (proper-lockfile's `checkSync`). A lock of a drop-in process is
 * answered by its holder's flock: locked while it lives, free once it died, whatever the folder's age.
 *
 * @throws {Error} `ENOENT` (the OS error) for a missing file with `realpath: true`.
 * @example
 * if (checkSync('state.json')) console.log('busy');
 */
export function checkSync(file: string, options?: CheckOptions): boolean {
  checkCommon(file, options);
  const stale = staleOf(options?.stale);
  const fsx = options?.fs ?? nodeFs;
  const canonicalFile = canonical(file, options?.realpath, fsx);
  return isLocked(lockPathOf(canonicalFile, options?.lockfilePath), stale, fsx);
}

/**
 * Whether `file` is locked by a fresh lock (proper-lockfile's `check`).
 *
 * @throws {Error} `ENOENT` (the OS error) for a missing file with `realpath: true`.
 * @example
 * if (await check('state.json')) console.log('busy');
 */
export async function check(file: string, options?: CheckOptions): Promise<boolean> {
  return checkSync(file, options);
}
