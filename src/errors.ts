import { formatHolder, type HolderInfo } from './holder.js';

/**
 * Every code a {@link LocksmithError} can have, in the order of `docs/errors.md`. A code is
 * `<FAMILY>_<CONDITION>` in SCREAMING_SNAKE: the family is the part of locksmith that throws it (`LOCK`,
 * `ATOMIC_WRITE`, `STORE`, `FILE`, `CHECKOUT`, `WEB_LOCKS`, `POSTGRES`), and a condition shared by
 * several families has one name in all of them (`_INVALID_ARGUMENT`, `_IO`, `_NOT_FOUND`). Codes are
 * stable: a test ties this list to the classes, to `docs/errors.md` and to the CLI's exit statuses.
 */
export const LOCKSMITH_ERROR_CODES = [
  'LOCK_TIMEOUT',
  'LOCK_DIRECTORY',
  'LOCK_UNSUPPORTED',
  'LOCK_COMPROMISED',
  'LOCK_INVALID_ARGUMENT',
  'LOCK_IO',
  'ATOMIC_WRITE_IO',
  'ATOMIC_WRITE_INVALID_ARGUMENT',
  'STORE_PARSE',
  'STORE_SCHEMA',
  'STORE_NOT_FOUND',
  'STORE_IO',
  'STORE_SERIALIZE',
  'STORE_TOO_DEEP',
  'STORE_INVALID_ARGUMENT',
  'FILE_NOT_REGULAR',
  'FILE_UNSAFE',
  'WEB_LOCKS_REGISTRY',
  'POSTGRES_CONNECTION',
  'POSTGRES_QUERY',
  'POSTGRES_POOLER',
  'CHECKOUT_CONFLICT',
  'CHECKOUT_NOT_HOLDER',
  'CHECKOUT_NOT_CHECKED_OUT',
  'CHECKOUT_FILE_NOT_FOUND',
  'CHECKOUT_PATH_ESCAPE',
  'CHECKOUT_REGISTRY_CORRUPT',
  'CHECKOUT_REGISTRY_MISSING',
  'CHECKOUT_AUDIT',
  'CHECKOUT_IO',
  'CHECKOUT_MODE',
  'CHECKOUT_INVALID_ARGUMENT',
] as const;

/** The code of a {@link LocksmithError}: `switch (error.code)` over it is checked for exhaustiveness. */
export type LocksmithErrorCode = (typeof LOCKSMITH_ERROR_CODES)[number];

/**
 * Every error locksmith throws on purpose is a `LocksmithError` with a stable `code`.
 * Codes are listed in `docs/errors.md`; a test keeps the two in sync.
 */
export abstract class LocksmithError extends Error {
  /** The stable code of this class; every subclass sets its own. */
  declare static readonly code: LocksmithErrorCode;
  /** Stable, documented, SCREAMING_SNAKE: match on this, not on the message. */
  abstract readonly code: LocksmithErrorCode;
  abstract override readonly name: string;
}

/**
 * An error about one file (or folder, or a lock's key): `file` names it, the same property in every
 * family. Classes that named it otherwise keep their old property as a deprecated alias.
 */
export abstract class LocksmithFileError extends LocksmithError {
  /** The file, folder or lock key this error is about. */
  readonly file: string;

  constructor(file: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.file = file;
  }
}

/** `Cannot <operation> <what> (<OS code>)`: the message of an error whose `cause` is the OS's refusal. */
export function refusedMessage(operation: string, what: string, cause: unknown): string {
  return `Cannot ${operation} ${what} (${causeCode(cause)})`;
}

/** What an error's `cause` says in a message: the OS error code (`EACCES`), else the cause as text. */
export function causeCode(cause: unknown): string {
  return (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
}

function withHolder(message: string, holder: HolderInfo | undefined): string {
  return holder ? `${message}: held by ${formatHolder(holder)}` : message;
}

/** The lock was not acquired within `timeout` (or at once, for `timeout: 0`). Carries the holder when known. */
export class LockTimeoutError extends LocksmithFileError {
  static override readonly code = 'LOCK_TIMEOUT';
  override readonly code = LockTimeoutError.code;
  override readonly name = 'LockTimeoutError';
  /** @deprecated The same as `file`, the busy lock file (or key), kept for code written before it. */
  readonly lockfilePath: string;
  readonly holder: HolderInfo | undefined;
  readonly timeout: number;

  constructor(lockfilePath: string, timeout: number, holder: HolderInfo | undefined) {
    const waited = timeout === 0 ? 'is busy' : `was not acquired within ${timeout} ms`;
    super(lockfilePath, withHolder(`Lock ${lockfilePath} ${waited}`, holder));
    this.lockfilePath = lockfilePath;
    this.holder = holder;
    this.timeout = timeout;
  }
}

/** The lock file's folder cannot be created or accessed. `file` names the folder; the OS error is the `cause`. */
export class LockDirectoryError extends LocksmithFileError {
  static override readonly code = 'LOCK_DIRECTORY';
  override readonly code = LockDirectoryError.code;
  override readonly name = 'LockDirectoryError';
  /** @deprecated The same as `file`, the folder, kept for code written before it. */
  readonly directory: string;

  constructor(directory: string, cause: unknown) {
    const reason = causeCode(cause);
    super(directory, `Lock folder ${directory} cannot be created or accessed (${reason})`, { cause });
    this.directory = directory;
  }
}

/** The requested backend or mode is not available here. */
export class LockUnsupportedError extends LocksmithError {
  static override readonly code = 'LOCK_UNSUPPORTED';
  override readonly code = LockUnsupportedError.code;
  override readonly name = 'LockUnsupportedError';
}

/** A held lock was lost (its file replaced or removed, its lease or connection lost). The handle's `signal` aborts with it. */
export class LockCompromisedError extends LocksmithFileError {
  static override readonly code = 'LOCK_COMPROMISED';
  override readonly code = LockCompromisedError.code;
  override readonly name = 'LockCompromisedError';
  /** @deprecated The same as `file`, the lost lock file (or key), kept for code written before it. */
  readonly lockfilePath: string;

  constructor(lockfilePath: string, reason: string, options?: ErrorOptions) {
    super(lockfilePath, `Lock ${lockfilePath} was lost: ${reason}`, options);
    this.lockfilePath = lockfilePath;
  }
}

/** An argument is unusable: empty path, NUL byte, a folder as path, a negative or NaN timeout... */
export class LockInvalidArgumentError extends LocksmithError {
  static override readonly code = 'LOCK_INVALID_ARGUMENT';
  override readonly code = LockInvalidArgumentError.code;
  override readonly name = 'LockInvalidArgumentError';
}

/** The operating system refused an operation on the lock file itself (not its folder). The OS error is the `cause`. */
export class LockIOError extends LocksmithFileError {
  static override readonly code = 'LOCK_IO';
  override readonly code = LockIOError.code;
  override readonly name = 'LockIOError';
  /** @deprecated The same as `file`, the lock file, kept for code written before it. */
  readonly lockfilePath: string;

  constructor(lockfilePath: string, operation: string, cause: unknown) {
    super(lockfilePath, refusedMessage(operation, `lock file ${lockfilePath}`, cause), { cause });
    this.lockfilePath = lockfilePath;
  }
}
