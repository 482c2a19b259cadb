import { causeCode, LocksmithError, LocksmithFileError, refusedMessage } from '../errors.js';

/** Who holds a check-out, since when, and why: what the errors of the registry name. */
export interface CheckoutHolder {
  readonly owner: string;
  readonly message: string;
  readonly checkedOutAt: Date;
}

function describeHolder(holder: CheckoutHolder): string {
  const why = holder.message ? `: "${holder.message}"` : ' (no message)';
  return `${holder.owner} since ${holder.checkedOutAt.toISOString()}${why}`;
}

/** The file is checked out by someone else. `holder` names them, when and why; nothing was changed. */
export class CheckoutConflictError extends LocksmithFileError {
  static override readonly code = 'CHECKOUT_CONFLICT';
  override readonly code = CheckoutConflictError.code;
  override readonly name = 'CheckoutConflictError';
  readonly holder: CheckoutHolder;
  /** Who asked. */
  readonly requestedBy: string;

  constructor(file: string, holder: CheckoutHolder, requestedBy: string) {
    super(file, `${file} is checked out by ${describeHolder(holder)}`);
    this.holder = holder;
    this.requestedBy = requestedBy;
  }
}

/** Check-in by someone who is not the holder. `holder` names the holder; nothing was changed. */
export class CheckoutNotHolderError extends LocksmithFileError {
  static override readonly code = 'CHECKOUT_NOT_HOLDER';
  override readonly code = CheckoutNotHolderError.code;
  override readonly name = 'CheckoutNotHolderError';
  readonly holder: CheckoutHolder;
  readonly requestedBy: string;

  constructor(file: string, holder: CheckoutHolder, requestedBy: string) {
    super(
      file,
      `${requestedBy} cannot check in ${file}: it is checked out by ${describeHolder(holder)} (an administrator can break it)`,
    );
    this.holder = holder;
    this.requestedBy = requestedBy;
  }
}

/** Check-in or break of a file that is not checked out. Nothing was changed. */
export class CheckoutNotCheckedOutError extends LocksmithFileError {
  static override readonly code = 'CHECKOUT_NOT_CHECKED_OUT';
  override readonly code = CheckoutNotCheckedOutError.code;
  override readonly name = 'CheckoutNotCheckedOutError';

  constructor(file: string) {
    super(file, `${file} is not checked out`);
  }
}

/** The file to check out, or to show, does not exist under the root (or is not a regular file). */
export class CheckoutFileNotFoundError extends LocksmithFileError {
  static override readonly code = 'CHECKOUT_FILE_NOT_FOUND';
  override readonly code = CheckoutFileNotFoundError.code;
  override readonly name = 'CheckoutFileNotFoundError';
  /** The absolute path that was looked at. */
  readonly path: string;

  constructor(file: string, absolute: string, detail = 'does not exist') {
    super(file, `${file} ${detail} (${absolute})`);
    this.path = absolute;
  }
}

/**
 * A file name leads out of the registry's root: by `..`, as an absolute path elsewhere, or through a
 * symbolic link whose target is outside. Nothing was read or changed.
 */
export class CheckoutPathEscapeError extends LocksmithFileError {
  static override readonly code = 'CHECKOUT_PATH_ESCAPE';
  override readonly code = CheckoutPathEscapeError.code;
  override readonly name = 'CheckoutPathEscapeError';
  /** The real root folder. */
  readonly root: string;
  /** Where the name leads. */
  readonly resolved: string;
  readonly via: 'dot-dot' | 'absolute' | 'symlink';

  constructor(file: string, root: string, resolved: string, via: 'dot-dot' | 'absolute' | 'symlink') {
    const how = {
      'dot-dot': 'leads out of',
      absolute: 'is an absolute path outside',
      symlink: 'goes through a symbolic link out of',
    }[via];
    super(file, `${file} ${how} the root ${root} (to ${resolved})`);
    this.root = root;
    this.resolved = resolved;
    this.via = via;
  }
}

/**
 * The registry file cannot be understood (invalid JSON, or not the registry's shape). It was left exactly
 * as it was: never replaced, never reset. `line` and `column` (1-based) locate invalid JSON; `issues`
 * list what does not fit the shape. The store's error is the `cause`.
 */
export class CheckoutRegistryCorruptError extends LocksmithFileError {
  static override readonly code = 'CHECKOUT_REGISTRY_CORRUPT';
  override readonly code = CheckoutRegistryCorruptError.code;
  override readonly name = 'CheckoutRegistryCorruptError';
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly issues: readonly string[];

  constructor(
    file: string,
    detail: { line?: number; column?: number; issues?: readonly string[]; reason: string },
    options?: ErrorOptions,
  ) {
    const where = detail.line === undefined ? file : `${file}:${detail.line}:${detail.column ?? 1}`;
    super(
      file,
      `The check-out registry ${where} is corrupt (${detail.reason}). It was left as it is: repair it by hand or restore it from a backup; .locksmith/audit.jsonl records every change`,
      options,
    );
    this.line = detail.line;
    this.column = detail.column;
    this.issues = detail.issues ?? [];
  }
}

/**
 * The registry file is missing although the audit log records changes: it was deleted or moved. Starting
 * from an empty registry would silently forget every check-out, so nothing is done until it is restored
 * (or the audit log is moved away to start afresh).
 */
export class CheckoutRegistryMissingError extends LocksmithFileError {
  static override readonly code = 'CHECKOUT_REGISTRY_MISSING';
  override readonly code = CheckoutRegistryMissingError.code;
  override readonly name = 'CheckoutRegistryMissingError';

  constructor(file: string, auditLog: string) {
    super(
      file,
      `The check-out registry ${file} is missing, but ${auditLog} records check-outs: restore the registry (or move the audit log away to start with no check-outs)`,
    );
  }
}

/**
 * The audit log could not be appended to, so the change it would record was not made. The OS error is the `cause`.
 */
export class CheckoutAuditError extends LocksmithFileError {
  static override readonly code = 'CHECKOUT_AUDIT';
  override readonly code = CheckoutAuditError.code;
  override readonly name = 'CheckoutAuditError';

  constructor(file: string, operation: string, cause: unknown) {
    const reason = causeCode(cause);
    super(file, `Cannot ${operation} the audit log ${file} (${reason}); nothing was changed`, { cause });
  }
}

/**
 * In read-only-until-checked-out mode, the file could not be made writable for the holder (typically
 * EPERM: only a file's owner, or root, may change its mode). The check-out was not recorded.
 */
export class CheckoutModeError extends LocksmithFileError {
  static override readonly code = 'CHECKOUT_MODE';
  override readonly code = CheckoutModeError.code;
  override readonly name = 'CheckoutModeError';

  constructor(file: string, cause: unknown) {
    const reason = causeCode(cause);
    super(file, `Cannot make ${file} writable (${reason}); it was not checked out`, { cause });
  }
}

/** A file or folder under the root cannot be read (permission denied, I/O error). The OS error is the `cause`. */
export class CheckoutIOError extends LocksmithFileError {
  static override readonly code = 'CHECKOUT_IO';
  override readonly code = CheckoutIOError.code;
  override readonly name = 'CheckoutIOError';
  /** @deprecated The same as `file`, kept for code written before it. */
  readonly path: string;

  constructor(path: string, operation: string, cause: unknown) {
    super(path, refusedMessage(operation, path, cause), { cause });
    this.path = path;
  }
}

/** An argument is unusable: an empty or NUL-containing name, the root itself, a folder, an over-long message... */
export class CheckoutInvalidArgumentError extends LocksmithError {
  static override readonly code = 'CHECKOUT_INVALID_ARGUMENT';
  override readonly code = CheckoutInvalidArgumentError.code;
  override readonly name = 'CheckoutInvalidArgumentError';
}
