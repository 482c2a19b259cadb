import { formatHolder, type HolderInfo } from './holder.js';

/**
 * Every error locksmith throws on purpose is a `LocksmithError` with a stable `code`.
 * Codes are listed in `docs/errors.md`; a test keeps the two in sync.
 */
export class LocksmithError extends Error {
  /** The stable code of this class; every subclass sets its own. */
  static readonly code: string = 'LOCKSMITH_ERROR';
  override name = 'LocksmithError';
  /** Stable, documented, SCREAMING_SNAKE: match on this, not on the message. */
  readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = (new.target as typeof LocksmithError).code;
  }
}

/** What an error's `cause` says in a message: the OS error code (`EACCES`), else the cause as text. */
export function causeCode(cause: unknown): string {
  return (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
}

function withHolder(message: string, holder: HolderInfo | undefined): string {
  return holder ? `${message}: held by ${formatHolder(holder)}` : message;
}

/** The lock was not acquired within `timeout` (or at once, for `timeout: 0`). Carries the holder when known. */
export class LockTimeoutError extends LocksmithError {
  static override readonly code = 'LOCK_TIMEOUT';
  override name = 'LockTimeoutError';
  readonly lockfilePath: string;
  readonly holder: HolderInfo | undefined;
  readonly timeout: number;

  constructor(lockfilePath: string, timeout: number, holder: HolderInfo | undefined) {
    const waited = timeout === 0 ? 'is busy' : `was not acquired within ${timeout} ms`;
    super(withHolder(`Lock ${lockfilePath} ${waited}`, holder));
    this.lockfilePath = lockfilePath;
    this.holder = holder;
    this.timeout = timeout;
  }
}

/** The lock file's folder cannot be created or accessed. The OS error is the `cause`. */
export class LockDirectoryError extends LocksmithError {
  static override readonly code = 'LOCK_DIRECTORY';
  override name = 'LockDirectoryError';
  readonly directory: string;

  constructor(directory: string, cause: unknown) {
    const reason = causeCode(cause);
    super(`Lock folder ${directory} cannot be created or accessed (${reason})`, { cause });
    this.directory = directory;
  }
}

/** The requested backend or mode is not available here. */
export class LockUnsupportedError extends LocksmithError {
  static override readonly code = 'LOCK_UNSUPPORTED';
  override name = 'LockUnsupportedError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A held lock was lost (its file replaced or removed, its lease or connection lost). The handle's `signal` aborts with it. */
export class LockCompromisedError extends LocksmithError {
  static override readonly code = 'LOCK_COMPROMISED';
  override name = 'LockCompromisedError';
  readonly lockfilePath: string;

  constructor(lockfilePath: string, reason: string, options?: ErrorOptions) {
    super(`Lock ${lockfilePath} was lost: ${reason}`, options);
    this.lockfilePath = lockfilePath;
  }
}

/** An argument is unusable: empty path, NUL byte, a folder as path, a negative or NaN timeout... */
export class LockInvalidArgumentError extends LocksmithError {
  static override readonly code = 'LOCK_INVALID_ARGUMENT';
  override name = 'LockInvalidArgumentError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The operating system refused an operation on the lock file itself (not its folder). The OS error is the `cause`. */
export class LockIOError extends LocksmithError {
  static override readonly code = 'LOCK_IO';
  override name = 'LockIOError';
  readonly lockfilePath: string;

  constructor(lockfilePath: string, operation: string, cause: unknown) {
    const reason = causeCode(cause);
    super(`Cannot ${operation} lock file ${lockfilePath} (${reason})`, { cause });
    this.lockfilePath = lockfilePath;
  }
}
