// The public types of the check-out registry (`openCheckouts`).
import type { BackendOption } from '../lock/backends/select.js';
import type { AuditEvent, readAuditLog } from './audit-log.js';
import type { CheckoutHolder } from './errors.js';

/** Options of `openCheckouts`. Every one is optional. */
export interface CheckoutsOptions {
  /**
   * Like `svn:needs-lock`: check-in and break make the file read-only (`a-w`), check-out makes it writable
   * by its owner (`u+w`). Needs the right to change the files' modes (their owner, or root). Default:
   * what the registry records — `protectAvailable()` turns the mode on for everyone who opens the folder.
   */
  readOnlyUntilCheckedOut?: boolean;
  /** Milliseconds a change waits for the registry's lock before `LOCK_TIMEOUT`. Default 30 000. */
  timeout?: number;
  /** Default true: fsync the registry and the audit log on every change. */
  durable?: boolean;
  /**
   * The lock backend of the registry's locks (see `lock`), e.g. `postgresBackend({ connectionString, root })`
   * for machines that mount the folder at different paths. Default `'auto'`.
   */
  backend?: BackendOption;
}

/** Options of `checkout`. */
export interface CheckoutOptions {
  /** Default `<os user>@<hostname>`. */
  owner?: string;
  /** Why; shown to anyone who is refused. At most 1 000 characters. */
  message?: string;
  signal?: AbortSignal;
}

/** Options of `checkin`. */
export interface CheckinOptions {
  /** Default `<os user>@<hostname>`; must be the holder. */
  owner?: string;
  signal?: AbortSignal;
}

/** Options of `breakCheckout`. */
export interface BreakOptions {
  /** Why the check-out is broken: required, written to the audit log. At most 1 000 characters. */
  reason: string;
  /** The administrator. Default `<os user>@<hostname>`. */
  by?: string;
  signal?: AbortSignal;
}

/** Options of `list`. */
export interface ListOptions {
  /** Only files with this extension (`'.mcam'` or `'mcam'`, case-insensitive). */
  extension?: string;
}

/** A file under the root and its check-out status. */
export interface FileStatus {
  /** Relative to the root, `/`-separated. */
  readonly name: string;
  /** False for a checked-out file that has since been deleted or moved: its check-out is still listed. */
  readonly exists: boolean;
  /** Undefined when the file does not exist. */
  readonly sizeBytes: number | undefined;
  readonly modifiedAt: Date | undefined;
  readonly status: 'available' | 'checked-out';
  /** Set when checked out. */
  readonly owner?: string;
  readonly message?: string;
  readonly checkedOutAt?: Date;
}

/** What `checkin` and `breakCheckout` return. */
export interface ReleaseResult {
  /** Relative to the root. */
  readonly file: string;
  /** The check-out that ended. */
  readonly previous: CheckoutHolder;
  /** The line written to the audit log. */
  readonly event: AuditEvent;
  /**
   * In read-only mode, why the file could not be made read-only (e.g. `EPERM`: not its owner). The
   * check-in or break itself was recorded.
   */
  readonly modeWarning?: string;
}

/** A check-out registry over the files of one folder. */
export interface Checkouts {
  /** The real path of the root folder. */
  readonly root: string;
  /** `<root>/.locksmith/checkouts.json`. */
  readonly registryPath: string;
  /** `<root>/.locksmith/audit.jsonl`. */
  readonly auditLogPath: string;
  /**
   * Check out `file` (relative to the root, or absolute inside it) for `owner`, with a message. Checking
   * out again as the holder changes nothing but the message. Recorded in the audit log.
   *
   * @throws {CheckoutConflictError} `CHECKOUT_CONFLICT` when someone else holds it: `holder` says who, since when, why.
   * @throws {CheckoutFileNotFoundError} `CHECKOUT_FILE_NOT_FOUND` when the file does not exist (or is a folder).
   * @throws {CheckoutPathEscapeError} `CHECKOUT_PATH_ESCAPE` for a name leading out of the root.
   * @throws {CheckoutModeError} `CHECKOUT_MODE` when, in read-only mode, the file cannot be made writable.
   * @throws {CheckoutRegistryCorruptError} `CHECKOUT_REGISTRY_CORRUPT`, {@link CheckoutRegistryMissingError}
   *   `CHECKOUT_REGISTRY_MISSING`, {@link CheckoutAuditError} `CHECKOUT_AUDIT`: nothing was changed.
   * @throws `LOCK_TIMEOUT` when the registry stays locked longer than `timeout`; `signal.reason` on abort.
   * @example
   * await registry.checkout('bracket.mcam', { message: 'moving the holes' });
   */
  checkout(file: string, options?: CheckoutOptions): Promise<FileStatus>;
  /**
   * Check in `file`: only its holder may. Recorded in the audit log; in read-only mode the file becomes
   * read-only again.
   *
   * @throws {CheckoutNotHolderError} `CHECKOUT_NOT_HOLDER` when `owner` is not the holder (named in the error).
   * @throws {CheckoutNotCheckedOutError} `CHECKOUT_NOT_CHECKED_OUT` when nobody holds it.
   * @throws the registry errors of {@link Checkouts.checkout}.
   * @example
   * await registry.checkin('bracket.mcam');
   */
  checkin(file: string, options?: CheckinOptions): Promise<ReleaseResult>;
  /**
   * End whoever's check-out of `file` (an administrator's override). Always recorded in the audit log
   * with `by`, `reason` and the check-out it ended; in read-only mode the file becomes read-only again.
   *
   * @throws {CheckoutNotCheckedOutError} `CHECKOUT_NOT_CHECKED_OUT` when nobody holds it.
   * @throws {CheckoutInvalidArgumentError} `CHECKOUT_INVALID_ARGUMENT` without a `reason`.
   * @throws the registry errors of {@link Checkouts.checkout}.
   * @example
   * await registry.breakCheckout('bracket.mcam', { reason: 'alice is on holiday', by: 'carol' });
   */
  breakCheckout(file: string, options: BreakOptions): Promise<ReleaseResult>;
  /**
   * Every regular file under the root (links are not followed, `.locksmith/` is left out), sorted by
   * name, with its status; plus checked-out files that no longer exist (`exists: false`). Takes no lock.
   *
   * @throws {CheckoutRegistryCorruptError} `CHECKOUT_REGISTRY_CORRUPT`, {@link CheckoutRegistryMissingError} `CHECKOUT_REGISTRY_MISSING`.
   * @example
   * const held = (await registry.list({ extension: '.mcam' })).filter((f) => f.status === 'checked-out');
   */
  list(options?: ListOptions): Promise<FileStatus[]>;
  /**
   * The status of one file. Takes no lock.
   *
   * @throws {CheckoutFileNotFoundError} `CHECKOUT_FILE_NOT_FOUND` when it neither exists nor is checked out.
   * @throws {CheckoutPathEscapeError} `CHECKOUT_PATH_ESCAPE`, and the registry errors of {@link Checkouts.list}.
   * @example
   * const { status, owner } = await registry.status('bracket.mcam');
   */
  status(file: string): Promise<FileStatus>;
  /**
   * The audit log: every event in order, and any line that is not one (reported, never dropped).
   *
   * @throws {CheckoutAuditError} `CHECKOUT_AUDIT` when the log exists but cannot be read.
   * @example
   * const breaks = (await registry.history()).events.filter((e) => e.event === 'break');
   */
  history(): Promise<Awaited<ReturnType<typeof readAuditLog>>>;
  /**
   * Turn read-only-until-checked-out on for this folder (recorded in the registry, so everyone who opens
   * it follows it) and make every available file read-only. Files that cannot be changed are listed.
   *
   * @throws the registry errors of {@link Checkouts.checkout}.
   * @example
   * await openCheckouts('/srv/designs').protectAvailable({ extension: '.mcam' });
   */
  protectAvailable(options?: ListOptions): Promise<ProtectResult>;
}

/** What `protectAvailable` did. */
export interface ProtectResult {
  /** Files that were writable and are now read-only. */
  readonly madeReadOnly: string[];
  /** Files whose mode could not be changed, with the OS error code (e.g. `EPERM`: not their owner). */
  readonly failed: { file: string; code: string }[];
}
