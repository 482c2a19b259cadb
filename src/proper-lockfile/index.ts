/**
 * `locksmith/proper-lockfile`: a drop-in for proper-lockfile 4 (same functions, options, defaults, error
 * codes and on-disk folder), without its two-holders race, and with waits that end at release.
 * See README "Migrating from proper-lockfile" and docs/proper-lockfile.md.
 */
import { check, checkSync, lock, lockSync, unlock, unlockSync } from './api.js';

export {
  PROPER_LOCKFILE_CODES,
  type ProperLockfileCode,
  ProperLockfileError,
} from './errors.js';
export type { CheckOptions, LockfileFs, LockOptions, UnlockOptions } from './options.js';
export type { RetryOptions } from './retry-schedule.js';
export { check, checkSync, lock, lockSync, unlock, unlockSync };

/** The default export, as proper-lockfile's module: `lockfile(file)` locks, and carries every function. */
const lockfile = Object.assign((file: string, options?: Parameters<typeof lock>[1]) => lock(file, options), {
  lock,
  unlock,
  check,
  lockSync,
  unlockSync,
  checkSync,
});
export default lockfile;
