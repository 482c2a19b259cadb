import { type Dirent, realpathSync, type Stats, statSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BackendOption } from '../lock/backends/select.js';
import { lock } from '../lock/lock.js';
import { checkTimeout, type LockOptions } from '../lock/options.js';
import { StoreParseError, StoreSchemaError } from '../store/errors.js';
import { openStore, type Store } from '../store/store.js';
import { type AuditEvent, appendAuditEvent, type NewAuditEvent, readAuditLog } from './audit-log.js';
import { confinePath, REGISTRY_FOLDER } from './confine-path.js';
import {
  CheckoutConflictError,
  CheckoutFileNotFoundError,
  type CheckoutHolder,
  CheckoutInvalidArgumentError,
  CheckoutIOError,
  CheckoutModeError,
  CheckoutNotCheckedOutError,
  CheckoutNotHolderError,
  CheckoutRegistryCorruptError,
  CheckoutRegistryMissingError,
} from './errors.js';
import { restoreMode, setWritable } from './file-mode.js';
import { type CheckoutRecord, EMPTY_REGISTRY, type RegistryData, registrySchema } from './registry-file.js';

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

const MAX_TEXT = 1_000;
const MAX_OWNER = 200;
const DEFAULT_TIMEOUT = 30_000;

/**
 * `<os user>@<hostname>`: who checks out when no owner is given (`$USER` and friends when the user has
 * no passwd entry, as in some containers).
 *
 * @example
 * defaultOwner(); // 'alice@cad-1'
 */
export function defaultOwner(): string {
  let user: string | undefined;
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers).
    user = process.env.USER ?? process.env.USERNAME ?? process.env.LOGNAME;
  }
  return `${user || `uid-${process.getuid?.() ?? 'unknown'}`}@${os.hostname()}`;
}

function checkOwner(value: unknown, what: string): string {
  if (value === undefined) return defaultOwner();
  if (typeof value !== 'string' || value.trim() === '') {
    throw new CheckoutInvalidArgumentError(`${what} must be a non-empty string`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (value.length > MAX_OWNER || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new CheckoutInvalidArgumentError(
      `${what} must be at most ${MAX_OWNER} characters, without control characters`,
    );
  }
  return value;
}

function checkText(value: unknown, what: string, required: boolean): string {
  if (value === undefined && !required) return '';
  if (typeof value !== 'string' || (required && value.trim() === '')) {
    throw new CheckoutInvalidArgumentError(`${what} must be a${required ? ' non-empty' : ''} string`);
  }
  if (value.length > MAX_TEXT) {
    throw new CheckoutInvalidArgumentError(`${what} must be at most ${MAX_TEXT} characters`);
  }
  return value;
}

function holderOf(record: CheckoutRecord): CheckoutHolder {
  return { owner: record.owner, message: record.message, checkedOutAt: new Date(record.checkedOutAt) };
}

function fileStatus(name: string, stats: Stats | undefined, record: CheckoutRecord | undefined): FileStatus {
  const base = {
    name,
    exists: stats !== undefined,
    sizeBytes: stats?.size,
    modifiedAt: stats?.mtime,
  };
  if (!record) return { ...base, status: 'available' };
  return { ...base, status: 'checked-out', ...holderOf(record) };
}

async function statFile(file: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(file);
    return stats.isFile() ? stats : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CheckoutIOError(file, 'read the status of', error);
  }
}

function normalizeExtension(extension: unknown): string | undefined {
  if (extension === undefined) return undefined;
  if (typeof extension !== 'string' || extension.replace(/^\./, '') === '') {
    throw new CheckoutInvalidArgumentError('extension must be a non-empty string such as ".mcam"');
  }
  return (extension.startsWith('.') ? extension : `.${extension}`).toLowerCase();
}

/** Every regular file under `dir`, relative to `root`; links are not followed (they could lead out). */
async function walk(root: string, dir: string, out: Map<string, Stats>): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // Leaving the folder out would list its checked-out files as if they did not exist: say so instead.
    throw new CheckoutIOError(dir, 'list the folder', error);
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (dir === root && entry.name === REGISTRY_FOLDER) continue;
    if (entry.isDirectory()) await walk(root, full, out);
    else if (entry.isFile()) {
      const stats = await statFile(full);
      if (stats) out.set(path.relative(root, full).split(path.sep).join('/'), stats);
    }
  }
}

function errorCode(error: unknown): string {
  return (error as { code?: unknown } | null)?.code?.toString() ?? 'ERROR';
}

/** What a change under the lock leaves to do if the registry write then fails. */
interface Change<R> {
  result: R;
  event?: AuditEvent;
  undo?: () => Promise<void>;
}

class CheckoutRegistry implements Checkouts {
  readonly root: string;
  readonly registryPath: string;
  readonly auditLogPath: string;
  readonly #readOnly: boolean | undefined;
  readonly #timeout: number;
  readonly #durable: boolean;
  readonly #backend: BackendOption | undefined;
  readonly #store: Store<RegistryData>;

  constructor(root: string, options: CheckoutsOptions) {
    if (typeof root !== 'string' || root.length === 0 || root.includes('\0')) {
      throw new CheckoutInvalidArgumentError('root must be a non-empty string without NUL bytes');
    }
    if (typeof options !== 'object' || options === null) {
      throw new CheckoutInvalidArgumentError('options must be an object');
    }
    try {
      this.root = realpathSync(path.resolve(root));
    } catch (error) {
      throw new CheckoutInvalidArgumentError(`root ${root} does not exist`, { cause: error });
    }
    if (!statSync(this.root).isDirectory()) {
      throw new CheckoutInvalidArgumentError(`root ${root} is not a folder`);
    }
    this.#readOnly = options.readOnlyUntilCheckedOut;
    this.#timeout = options.timeout ?? DEFAULT_TIMEOUT;
    checkTimeout(this.#timeout);
    this.#durable = options.durable ?? true;
    this.#backend = options.backend;
    const folder = path.join(this.root, REGISTRY_FOLDER);
    this.registryPath = path.join(folder, 'checkouts.json');
    this.auditLogPath = path.join(folder, 'audit.jsonl');
    this.#store = openStore<RegistryData>(this.registryPath, {
      defaults: EMPTY_REGISTRY,
      schema: registrySchema,
      durable: this.#durable,
      // The registry's own lock (`checkouts.json.lock`) is taken around the whole change, audit line
      // included (see #change); the store's update then locks this second file, which nobody else uses.
      lockfilePath: path.join(folder, 'checkouts.json.update.lock'),
      ...(this.#backend === undefined ? {} : { backend: this.#backend }),
    });
  }

  /** Options of the registry's own lock (on `checkouts.json`). */
  #lockOptions(signal: AbortSignal | undefined): LockOptions {
    return {
      timeout: this.#timeout,
      ...(signal === undefined ? {} : { signal }),
      ...(this.#backend === undefined ? {} : { backend: this.#backend }),
    };
  }

  #corrupt(error: unknown): unknown {
    if (error instanceof StoreParseError) {
      return new CheckoutRegistryCorruptError(
        error.file,
        { line: error.line, column: error.column, reason: `invalid JSON: ${error.reason}` },
        { cause: error },
      );
    }
    if (error instanceof StoreSchemaError && error.source === 'file') {
      const issues = error.issues.map(
        (i) => `${i.path.length === 0 ? '(root)' : i.path.map(String).join('.')}: ${i.message}`,
      );
      return new CheckoutRegistryCorruptError(
        error.file,
        { issues, reason: `not a check-out registry: ${issues.join('; ')}` },
        { cause: error },
      );
    }
    return error;
  }

  /**
   * A missing (or emptied) registry is an empty one only if the audit log records no change: otherwise
   * it was deleted, and treating it as empty would silently forget every check-out.
   */
  async #registryLost(): Promise<boolean> {
    try {
      if ((await stat(this.registryPath)).size > 0) return false;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return false; // the read will report it
    }
    const { events } = await readAuditLog(this.auditLogPath);
    const reverted = new Set(events.filter((e) => e.event === 'reverted').map((e) => e.of));
    return events.some((e) => e.event !== 'reverted' && !reverted.has(e.id));
  }

  async #checkNotLost(locked: boolean): Promise<void> {
    if (!(await this.#registryLost())) return;
    if (!locked) {
      // The very first change may be between its audit line and its registry write: look under the lock.
      const handle = await lock(this.registryPath, this.#lockOptions(undefined));
      try {
        if (!(await this.#registryLost())) return;
      } finally {
        await handle.release();
      }
    }
    throw new CheckoutRegistryMissingError(this.registryPath, this.auditLogPath);
  }

  /**
   * `.locksmith/`, if missing. A file-lock backend creates it for its lock file; a backend of names (a
   * server's locks) touches no file, and the audit line and the registry then need it all the same.
   */
  async #makeFolder(): Promise<void> {
    const folder = path.dirname(this.registryPath);
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw new CheckoutIOError(folder, 'create the folder', error);
    }
  }

  async #read(): Promise<RegistryData> {
    await this.#checkNotLost(false);
    try {
      return (await this.#store.read()) as RegistryData;
    } catch (error) {
      throw this.#corrupt(error);
    }
  }

  #readOnlyIn(registry: RegistryData): boolean {
    return this.#readOnly ?? registry.readOnlyUntilCheckedOut ?? false;
  }

  #append(event: NewAuditEvent): Promise<AuditEvent> {
    return appendAuditEvent(this.auditLogPath, event, this.#durable);
  }

  /**
   * One change: under the registry's lock, check the registry is not lost, let `work` change the draft
   * (appending its audit line), and write the registry atomically. If the write fails after the audit
   * line, a `reverted` line follows it and `work`'s side effects are undone, still under the lock.
   */
  async #change<R>(
    signal: AbortSignal | undefined,
    work: (draft: RegistryData) => Promise<Change<R>>,
  ): Promise<R> {
    const handle = await lock(this.registryPath, this.#lockOptions(signal));
    let change: Change<R> | undefined;
    try {
      await this.#makeFolder();
      await this.#checkNotLost(true);
      const lost = handle.signal;
      await this.#store.update(
        async (draft) => {
          change = await work(draft);
        },
        { signal: signal === undefined ? lost : AbortSignal.any([signal, lost]) },
      );
      return change!.result;
    } catch (error) {
      if (change?.undo) await change.undo().catch(() => {});
      if (change?.event) {
        await this.#append({ event: 'reverted', of: change.event.id, error: errorCode(error) }).catch(
          () => {},
        );
      }
      throw this.#corrupt(error);
    } finally {
      await handle.release();
    }
  }

  async checkout(file: string, options: CheckoutOptions = {}): Promise<FileStatus> {
    const owner = checkOwner(options.owner, 'owner');
    const message = options.message === undefined ? undefined : checkText(options.message, 'message', false);
    const target = await confinePath(this.root, file);
    const stats = await statFile(target.path);
    if (!stats) {
      const exists = await stat(target.path).catch(() => undefined);
      throw new CheckoutFileNotFoundError(
        target.name,
        target.path,
        exists ? 'is not a regular file' : 'does not exist',
      );
    }
    return this.#change(options.signal, async (draft) => {
      const current = draft.checkouts[target.name];
      if (current && current.owner !== owner) {
        throw new CheckoutConflictError(target.name, holderOf(current), owner);
      }
      if (current && (message === undefined || message === current.message)) {
        // Already yours: nothing changes, nothing to record.
        return { result: fileStatus(target.name, stats, current) };
      }
      let undo: (() => Promise<void>) | undefined;
      if (this.#readOnlyIn(draft)) {
        try {
          const before = await setWritable(target.path, true);
          undo = () => restoreMode(target.path, before);
        } catch (error) {
          throw new CheckoutModeError(target.name, error);
        }
      }
      const now = new Date();
      const record: CheckoutRecord = {
        owner,
        message: message ?? '',
        // The same instant as the audit line, so the two can be matched.
        checkedOutAt: current?.checkedOutAt ?? now.toISOString(),
        host: os.hostname(),
        pid: process.pid,
      };
      try {
        const event = await this.#append({
          at: now,
          event: 'checkout',
          file: target.name,
          owner,
          by: owner,
          message: record.message,
        });
        draft.checkouts[target.name] = record;
        return { result: fileStatus(target.name, stats, record), event, ...(undo ? { undo } : {}) };
      } catch (error) {
        await undo?.().catch(() => {});
        throw error;
      }
    });
  }

  /** End a check-out: remove it from the draft, make the file read-only in that mode, record `kind`. */
  async #release(
    draft: RegistryData,
    name: string,
    absolute: string,
    event: NewAuditEvent,
  ): Promise<Change<ReleaseResult>> {
    const current = draft.checkouts[name]!;
    let undo: (() => Promise<void>) | undefined;
    let modeWarning: string | undefined;
    if (this.#readOnlyIn(draft) && (await statFile(absolute))) {
      try {
        const before = await setWritable(absolute, false);
        undo = () => restoreMode(absolute, before);
      } catch (error) {
        modeWarning = `${name} could not be made read-only (${errorCode(error)})`;
      }
    }
    try {
      const written = await this.#append({ ...event, checkedOutAt: new Date(current.checkedOutAt) });
      delete draft.checkouts[name];
      const result: ReleaseResult = {
        file: name,
        previous: holderOf(current),
        event: written,
        ...(modeWarning === undefined ? {} : { modeWarning }),
      };
      return { result, event: written, ...(undo ? { undo } : {}) };
    } catch (error) {
      await undo?.().catch(() => {});
      throw error;
    }
  }

  async checkin(file: string, options: CheckinOptions = {}): Promise<ReleaseResult> {
    const owner = checkOwner(options.owner, 'owner');
    const target = await confinePath(this.root, file);
    return this.#change(options.signal, async (draft) => {
      const current = draft.checkouts[target.name];
      if (!current) throw new CheckoutNotCheckedOutError(target.name);
      if (current.owner !== owner) throw new CheckoutNotHolderError(target.name, holderOf(current), owner);
      return this.#release(draft, target.name, target.path, {
        event: 'checkin',
        file: target.name,
        owner,
        by: owner,
        message: current.message,
      });
    });
  }

  async breakCheckout(file: string, options: BreakOptions): Promise<ReleaseResult> {
    if (typeof options !== 'object' || options === null) {
      throw new CheckoutInvalidArgumentError('breakCheckout needs { reason }');
    }
    const reason = checkText(options.reason, 'reason', true);
    const by = checkOwner(options.by, 'by');
    const target = await confinePath(this.root, file);
    return this.#change(options.signal, async (draft) => {
      const current = draft.checkouts[target.name];
      if (!current) throw new CheckoutNotCheckedOutError(target.name);
      return this.#release(draft, target.name, target.path, {
        event: 'break',
        file: target.name,
        owner: current.owner,
        by,
        message: current.message,
        reason,
      });
    });
  }

  async list(options: ListOptions = {}): Promise<FileStatus[]> {
    const extension = normalizeExtension(options.extension);
    const registry = await this.#read();
    const files = new Map<string, Stats>();
    await walk(this.root, this.root, files);
    const names = new Set([...files.keys(), ...Object.keys(registry.checkouts)]);
    const wanted = [...names]
      .filter((name) => extension === undefined || name.toLowerCase().endsWith(extension))
      .sort();
    return wanted.map((name) => fileStatus(name, files.get(name), registry.checkouts[name]));
  }

  async status(file: string): Promise<FileStatus> {
    const target = await confinePath(this.root, file);
    const registry = await this.#read();
    const record = registry.checkouts[target.name];
    const stats = await statFile(target.path);
    if (!stats && !record) throw new CheckoutFileNotFoundError(target.name, target.path);
    return fileStatus(target.name, stats, record);
  }

  history() {
    return readAuditLog(this.auditLogPath);
  }

  async protectAvailable(options: ListOptions = {}): Promise<ProtectResult> {
    const extension = normalizeExtension(options.extension);
    // A change like the others: a check-out cannot make a file writable while this makes it read-only.
    return this.#change(undefined, async (draft) => {
      const files = new Map<string, Stats>();
      await walk(this.root, this.root, files);
      const result: ProtectResult = { madeReadOnly: [], failed: [] };
      const undone: (() => Promise<void>)[] = [];
      for (const [name, stats] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (draft.checkouts[name] || (stats.mode & 0o222) === 0) continue;
        if (extension !== undefined && !name.toLowerCase().endsWith(extension)) continue;
        const file = path.join(this.root, name);
        try {
          const before = await setWritable(file, false);
          undone.push(() => restoreMode(file, before));
          result.madeReadOnly.push(name);
        } catch (error) {
          result.failed.push({ file: name, code: errorCode(error) });
        }
      }
      draft.readOnlyUntilCheckedOut = true;
      return {
        result,
        undo: async () => {
          for (const undo of undone) await undo().catch(() => {});
        },
      };
    });
  }
}

/**
 * Open the check-out registry of the folder `root` (kept in `<root>/.locksmith/`): one person at a time
 * checks out a file, with a message; others are refused with the holder's name; only the holder checks
 * in; an administrator can break a check-out. Every change is a locked atomic update of
 * `.locksmith/checkouts.json` plus one line of `.locksmith/audit.jsonl`, from any number of processes at
 * once. Nothing is read until the first call. Machines sharing the folder over the network should pass a
 * server's `backend`, with the folder as its `root` (see the last example).
 *
 * @throws {CheckoutInvalidArgumentError} `CHECKOUT_INVALID_ARGUMENT` when `root` is not an existing folder.
 * @throws {LockInvalidArgumentError} `LOCK_INVALID_ARGUMENT` for a negative or NaN `timeout`.
 * @example
 * const registry = openCheckouts('/srv/designs');
 * await registry.checkout('bracket.mcam', { message: 'moving the holes' });
 * // ... edit bracket.mcam ...
 * await registry.checkin('bracket.mcam');
 * for (const file of await registry.list({ extension: '.mcam' })) console.log(file.name, file.status, file.owner ?? '');
 * @example
 * try {
 *   await registry.checkout('bracket.mcam');
 * } catch (error) {
 *   if (error instanceof CheckoutConflictError) console.log(`held by ${error.holder.owner}: ${error.holder.message}`);
 * }
 * @example
 * import { postgresBackend } from 'locksmith/postgres';
 * // Mounted at /mnt/designs here, elsewhere on other machines: each passes its own path as root.
 * const backend = postgresBackend({ connectionString: process.env.DATABASE_URL!, root: '/mnt/designs' });
 * const shared = openCheckouts('/mnt/designs', { backend });
 */
export function openCheckouts(root: string, options: CheckoutsOptions = {}): Checkouts {
  return new CheckoutRegistry(root, options);
}
