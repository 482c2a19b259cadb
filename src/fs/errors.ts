import { causeCode, LocksmithError } from '../errors.js';

/**
 * The operating system refused a step of an atomic write (creating the temp file, writing, fsync, rename).
 * The target was not touched: it holds its old content, or still does not exist. The OS error is the `cause`.
 */
export class AtomicWriteError extends LocksmithError {
  static override readonly code = 'ATOMIC_WRITE_FAILED';
  override name = 'AtomicWriteError';
  /** The file that was to be written. */
  readonly path: string;
  /** The step that failed: `'create temp file'`, `'write'`, `'fsync'`, `'rename'`, `'fsync folder'`... */
  readonly operation: string;

  constructor(path: string, operation: string, cause: unknown) {
    super(`Cannot write ${path} atomically: ${operation} failed (${causeCode(cause)})`, { cause });
    this.path = path;
    this.operation = operation;
  }
}

/** An argument of `writeFileAtomic` is unusable: an empty path, a NUL byte, a target that is a folder, bad data. */
export class AtomicWriteInvalidArgumentError extends LocksmithError {
  static override readonly code = 'ATOMIC_WRITE_INVALID_ARGUMENT';
  override name = 'AtomicWriteInvalidArgumentError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
