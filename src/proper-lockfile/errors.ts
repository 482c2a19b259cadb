/**
 * proper-lockfile's error codes, kept as they are so that code written for it (`err.code === 'ELOCKED'`)
 * keeps working. These are not locksmith's `LOCK_*` family: the drop-in speaks proper-lockfile's language.
 * Every code is listed in docs/errors.md ("proper-lockfile drop-in").
 */
export const PROPER_LOCKFILE_CODES = [
  'ELOCKED',
  'ENOTACQUIRED',
  'ECOMPROMISED',
  'ERELEASED',
  'ESYNC',
] as const;

/** A code of {@link ProperLockfileError}. */
export type ProperLockfileCode = (typeof PROPER_LOCKFILE_CODES)[number];

/**
 * An error of the proper-lockfile drop-in. `code` is proper-lockfile's; `file` names the file whose lock
 * it is about; `cause` keeps the OS error when there is one. (OS errors such as `ENOENT` for a missing file
 * with `realpath: true` are passed on unchanged, as proper-lockfile does.)
 */
export class ProperLockfileError extends Error {
  override readonly name = 'ProperLockfileError';
  readonly code: ProperLockfileCode;
  readonly file: string;

  constructor(code: ProperLockfileCode, file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.file = file;
  }
}

/** `ELOCKED`: someone else holds a fresh lock (proper-lockfile's message, plus the file). */
export function lockedError(file: string, detail?: string): ProperLockfileError {
  const suffix = detail ? `; ${detail}` : '';
  return new ProperLockfileError('ELOCKED', file, `Lock file is already being held (${file}${suffix})`);
}

/** `ENOTACQUIRED`: unlock of a file this process does not hold. */
export function notAcquiredError(file: string): ProperLockfileError {
  return new ProperLockfileError('ENOTACQUIRED', file, `Lock is not acquired/owned by you: ${file}`);
}

/** `ERELEASED`: the release function of a lock already released (or compromised). */
export function releasedError(file: string): ProperLockfileError {
  return new ProperLockfileError('ERELEASED', file, `Lock is already released: ${file}`);
}

/** `ECOMPROMISED`: the lock was lost while held; the message names the file and the cause. */
export function compromisedError(file: string, reason: string, cause?: unknown): ProperLockfileError {
  const options = cause === undefined ? undefined : { cause };
  return new ProperLockfileError('ECOMPROMISED', file, `Lock of ${file} was compromised: ${reason}`, options);
}

/** `ESYNC`: retries asked of a sync function, which cannot wait. */
export function syncRetriesError(file: string): ProperLockfileError {
  return new ProperLockfileError('ESYNC', file, 'Cannot use retries with the sync api');
}
