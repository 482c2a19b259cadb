import type { Stats } from 'node:fs';
import { lstat, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UnsafeFileError } from '../fs/errors.js';
import type { BackendOption } from '../lock/backends/select.js';
import { lock } from '../lock/lock.js';
import type { LockOptions } from '../lock/options.js';
import { StoreParseError, StoreSchemaError } from '../store/errors.js';
import { openStore, type Store } from '../store/store.js';
import { type AuditEvent, appendAuditEvent, type NewAuditEvent, readAuditLog } from './audit-log.js';
import {
  type Change,
  type ChangeContext,
  checkoutChange,
  errorCode,
  protectChange,
  releaseChange,
} from './changes.js';
import { confinePath } from './confine-path.js';
import {
  CheckoutFileNotFoundError,
  CheckoutInvalidArgumentError,
  CheckoutIOError,
  CheckoutNotCheckedOutError,
  CheckoutNotHolderError,
  CheckoutRegistryCorruptError,
  CheckoutRegistryMissingError,
} from './errors.js';
import { fileStatus, holderOf, statFile, walk } from './files.js';
import { checkOwner, checkText, normalizeExtension } from './inputs.js';
import { EMPTY_REGISTRY, type RegistryData, registrySchema } from './registry-file.js';
import { type RegistrySettings, registrySettings } from './registry-options.js';
import type {
  BreakOptions,
  CheckinOptions,
  CheckoutOptions,
  Checkouts,
  CheckoutsOptions,
  FileStatus,
  ListOptions,
  ProtectResult,
  ReleaseResult,
} from './types.js';

export class CheckoutRegistry implements Checkouts {
  readonly root: string;
  readonly registryPath: string;
  readonly auditLogPath: string;
  readonly #readOnly: boolean | undefined;
  readonly #timeout: number;
  readonly #durable: boolean;
  readonly #backend: BackendOption | undefined;
  readonly #store: Store<RegistryData>;

  constructor(settings: RegistrySettings) {
    this.root = settings.root;
    this.registryPath = settings.registryPath;
    this.auditLogPath = settings.auditLogPath;
    this.#readOnly = settings.readOnly;
    this.#timeout = settings.timeout;
    this.#durable = settings.durable;
    this.#backend = settings.backend;
    const folder = path.dirname(this.registryPath);
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

  /**
   * Refuse a `.locksmith` that is a symbolic link: followed, it would make every user's changes (root's
   * too) lock, write and append in a folder of the planter's choosing. Checked before every call.
   */
  async #checkFolder(): Promise<void> {
    const folder = path.dirname(this.registryPath);
    const stats = await lstat(folder).catch(() => undefined);
    if (stats?.isSymbolicLink()) {
      throw new UnsafeFileError(
        folder,
        'symlink',
        `is a symbolic link; the check-out registry folder must be a real folder, so it is not followed`,
      );
    }
  }

  async #read(): Promise<RegistryData> {
    await this.#checkFolder();
    await this.#checkNotLost(false);
    try {
      return (await this.#store.read()) as RegistryData;
    } catch (error) {
      throw this.#corrupt(error);
    }
  }

  /** What the changes (changes.ts) need of the registry. */
  readonly #context: ChangeContext = {
    readOnlyIn: (registry) => this.#readOnly ?? registry.readOnlyUntilCheckedOut ?? false,
    append: (event) => this.#append(event),
  };

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
    await this.#checkFolder();
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
    return this.#change(options.signal, (draft) =>
      checkoutChange(this.#context, draft, target, stats, owner, message),
    );
  }

  async checkin(file: string, options: CheckinOptions = {}): Promise<ReleaseResult> {
    const owner = checkOwner(options.owner, 'owner');
    const target = await confinePath(this.root, file);
    return this.#change(options.signal, async (draft) => {
      const current = draft.checkouts[target.name];
      if (!current) throw new CheckoutNotCheckedOutError(target.name);
      if (current.owner !== owner) throw new CheckoutNotHolderError(target.name, holderOf(current), owner);
      return releaseChange(this.#context, draft, target.name, target.path, {
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
      return releaseChange(this.#context, draft, target.name, target.path, {
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

  async history() {
    await this.#checkFolder();
    return readAuditLog(this.auditLogPath);
  }

  async protectAvailable(options: ListOptions = {}): Promise<ProtectResult> {
    const extension = normalizeExtension(options.extension);
    // A change like the others: a check-out cannot make a file writable while this makes it read-only.
    return this.#change(undefined, (draft) => protectChange(draft, this.root, extension));
  }
}

/**
 * `openCheckouts` itself, loaded: what the CLI uses. Users get the facade of registry-lazy.ts, which makes
 * the same checks before this module is loaded.
 *
 * @throws {CheckoutInvalidArgumentError} `CHECKOUT_INVALID_ARGUMENT` as the facade documents.
 * @example
 * const registry = openCheckouts('/srv/designs');
 */
export function openCheckouts(root: string, options: CheckoutsOptions = {}): Checkouts {
  return new CheckoutRegistry(registrySettings(root, options));
}
