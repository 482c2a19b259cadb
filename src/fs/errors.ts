import { LocksmithError, LocksmithFileError, refusedMessage } from '../errors.js';

/**
 * The operating system refused a step of an atomic write (creating the temp file, writing, fsync, rename).
 * The target was not touched: it holds its old content, or still does not exist. The OS error is the `cause`.
 */
export class AtomicWriteError extends LocksmithFileError {
  static override readonly code = 'ATOMIC_WRITE_IO';
  override readonly code = AtomicWriteError.code;
  override readonly name = 'AtomicWriteError';
  /** @deprecated The same as `file`, the file that was to be written, kept for code written before it. */
  readonly path: string;
  /** The step that failed: `'create temp file'`, `'write'`, `'fsync'`, `'rename'`, `'fsync folder'`... */
  readonly operation: string;

  constructor(path: string, operation: string, cause: unknown) {
    super(path, refusedMessage(`write ${path} atomically:`, `${operation} failed`, cause), { cause });
    this.path = path;
    this.operation = operation;
  }
}

/** An argument of `writeFileAtomic` is unusable: an empty path, a NUL byte, a target that is a folder, bad data. */
export class AtomicWriteInvalidArgumentError extends LocksmithError {
  static override readonly code = 'ATOMIC_WRITE_INVALID_ARGUMENT';
  override readonly code = AtomicWriteInvalidArgumentError.code;
  override readonly name = 'AtomicWriteInvalidArgumentError';
}

/** What a path turned out to be, as the errors of {@link NotRegularFileError} name it. */
export type FileKind =
  | 'regular file'
  | 'folder'
  | 'FIFO'
  | 'socket'
  | 'character device'
  | 'block device'
  | 'symbolic link'
  | 'file of an unknown type';

/**
 * A file locksmith reads or writes (a store file, the audit log, a check-out registry, a Web Locks
 * registry file, a temp file) is a FIFO, a socket or a device: something another user may have planted
 * to make the call block forever. It was opened without blocking and closed at once; nothing was read
 * or written. `kind` says what it is.
 */
export class NotRegularFileError extends LocksmithFileError {
  static override readonly code = 'FILE_NOT_REGULAR';
  override readonly code = NotRegularFileError.code;
  override readonly name = 'NotRegularFileError';
  /** @deprecated The same as `file`, the path as locksmith opened it, kept for code written before it. */
  readonly path: string;
  readonly kind: FileKind;

  constructor(path: string, kind: FileKind) {
    super(path, `${path} is a ${kind}, not a regular file: locksmith does not read or write it`);
    this.path = path;
    this.kind = kind;
  }
}

/**
 * A file is not where it should be, so locksmith refuses it rather than write somewhere else:
 * - `'symlink'`: a symbolic link in a folder that others can write (group- or world-writable, sticky, or
 *   owned by another user), not made by the caller (pass `followSymlinks: true` to follow it anyway),
 *   or any symbolic link where locksmith never follows one (under `.locksmith/`, temp files);
 * - `'hard link'`: a file locksmith writes in place (the audit log, a Web Locks registry file) has other
 *   names, so writing it would write a file elsewhere;
 * - `'owner'`: a file locksmith created for itself belongs to another user.
 * Nothing was read or written.
 */
export class UnsafeFileError extends LocksmithFileError {
  static override readonly code = 'FILE_UNSAFE';
  override readonly code = UnsafeFileError.code;
  override readonly name = 'UnsafeFileError';
  /** @deprecated The same as `file`, the path of the link or of the file, kept for code written before it. */
  readonly path: string;
  readonly reason: 'symlink' | 'hard link' | 'owner';

  constructor(path: string, reason: 'symlink' | 'hard link' | 'owner', detail: string) {
    super(path, `${path}: ${detail}`);
    this.path = path;
    this.reason = reason;
  }
}
