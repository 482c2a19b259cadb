import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { NotRegularFileError, UnsafeFileError } from '../fs/errors.js';
import { readRegular } from '../fs/open-regular.js';
import { resolveTrustedLinks } from '../fs/trusted-links.js';
import type { PreparedWrite } from '../fs/write-file-atomic.js';
import type { BackendOption } from '../lock/backends/select.js';
import type { LockTarget } from '../lock/lock-all.js';
import type { LockOptions, WaitInfo } from '../lock/options.js';
import type { Codec } from './codecs/codec.js';
import { type DeepReadonly, deepFreeze } from './deep-freeze.js';
import {
  StoreInvalidArgumentError,
  StoreIOError,
  StoreNotFoundError,
  StoreSerializeError,
} from './errors.js';
import { firstDifference, sameData } from './plain-data.js';
import { validate } from './schema.js';
import { type StoreSettings, storeSettings } from './store-settings.js';
import { decodeText, encodeText } from './text-bytes.js';

/** The file formats of a store. */
export type StoreFormat = 'json' | 'yaml';

/** Options of `openStore`. Every one is optional. */
export interface StoreOptions<T> {
  /** The value when the file does not exist (or is empty). Without it, reading a missing file is `STORE_NOT_FOUND`. */
  defaults?: T;
  /** A Standard Schema validator (zod, valibot, arktype...): checked on every read and before every write. */
  schema?: StandardSchemaV1<unknown, T>;
  /** Default: from the extension, `.json` → `'json'`, `.yaml`/`.yml` → `'yaml'`. */
  format?: StoreFormat;
  /** Default `true`: fsync each write (see `writeFileAtomic`). `false` is faster and still atomic. */
  durable?: boolean;
  /** Default milliseconds an `update` or `transact` waits for the lock (`LOCK_TIMEOUT` after). Default: no limit. */
  timeout?: number;
  /** The lock file, instead of `path + '.lock'`. */
  lockfilePath?: string;
  /** The lock backend (see `lock`). */
  backend?: BackendOption;
  /**
   * Default `false`: a symbolic link on the way to the file is followed only when this user made it or
   * its folder is not writable by others; another is refused (`FILE_UNSAFE`), so that a link planted in
   * a shared folder cannot make you read or write a file of the planter's choosing. `true` follows all.
   */
  followSymlinks?: boolean;
}

/** Options of one `update` or `transact`. */
export interface UpdateOptions {
  /** Milliseconds to wait for the lock; overrides the store's `timeout`. The update function itself is not timed. */
  timeout?: number;
  /** Aborting it stops the wait, or (if the lock is held) prevents the write; the call rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called once if the lock is busy and the call has to wait, with the holder when known (see `lock`). */
  onWait?: (info: WaitInfo) => void;
}

/** Changes the draft in place, or returns a whole new value. May be async; if it throws, nothing is written. */
// biome-ignore lint/suspicious/noConfusingVoidType: an updater that only changes the draft returns nothing.
export type Updater<T> = (draft: T) => T | undefined | void | Promise<T | undefined | void>;

/** A JSON or YAML file that many processes read and update safely. */
export interface Store<T> {
  /** The absolute path of the file (symlinks resolved). */
  readonly path: string;
  readonly format: StoreFormat;
  /**
   * A deep-frozen snapshot of the file (validated by the schema), or of the defaults when the file does
   * not exist. Takes no lock: writes are atomic renames, so a read never sees a half-written file.
   *
   * @throws {StoreParseError} `STORE_PARSE` for invalid JSON/YAML (a duplicate JSON key, several YAML
   *   documents), with file, line and column.
   * @throws {StoreTooDeepError} `STORE_TOO_DEEP` for a file nested deeper than 1000 levels.
   * @throws {StoreSchemaError} `STORE_SCHEMA` when the content does not match the schema.
   * @throws {StoreNotFoundError} `STORE_NOT_FOUND` when the file is missing and there are no defaults.
   * @throws {StoreIOError} `STORE_IO` when the file cannot be read (a folder, permission denied).
   * @throws {NotRegularFileError} `FILE_NOT_REGULAR` when it is a FIFO, a socket or a device.
   * @throws {UnsafeFileError} `FILE_UNSAFE` when it is reached through a link planted by another user.
   */
  read(): Promise<DeepReadonly<T>>;
  /**
   * Lock the file, read it, run `fn` on a mutable draft, validate, write atomically if anything changed,
   * unlock. Returns the new deep-frozen value. Concurrent updates from any number of processes are applied
   * one after another: none is lost.
   *
   * @throws the errors of `read` (nothing is written then), and `STORE_SCHEMA` (`source: 'update'`),
   *   `STORE_SERIALIZE` (naming `path`) for a value that is not plain data or would not read back the same,
   *   or `STORE_TOO_DEEP`: nothing is written then. Only the bytes of the changed values change.
   * @throws the errors of `lock` (`LOCK_TIMEOUT`, `LOCK_DIRECTORY`...) and of `writeFileAtomic`.
   * @throws whatever `fn` throws; nothing is written then.
   */
  update(fn: Updater<T>, options?: UpdateOptions): Promise<DeepReadonly<T>>;
}

/** The file's text (undefined when missing or empty) and its validated value. */
export interface Loaded {
  /** Decoded by `decodeText`: bytes that are not UTF-8 are kept as escapes, and written back as they were. */
  text: string | undefined;
  value: unknown;
}

/** What a change would write: the bytes, and the frozen value `read` will then return. */
export interface Planned {
  bytes: Uint8Array;
  value: unknown;
}

/**
 * The store file's bytes, or `undefined` when it does not exist. The one place the store opens its file
 * for reading (a safer open, say one refusing FIFOs, only has to change this function).
 */
async function readStoreFile(file: string, followSymlinks: boolean): Promise<Uint8Array | undefined> {
  try {
    // Never blocks (a FIFO planted as the file is refused) and follows no untrusted link.
    return await readRegular(followSymlinks ? file : resolveTrustedLinks(file), {
      noFollow: !followSymlinks,
    });
  } catch (error) {
    if (error instanceof NotRegularFileError || error instanceof UnsafeFileError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreIOError(file, 'read', error);
  }
}

// Each codec (with its parser, yaml or jsonc-parser) loads on first use: a program that never reads a store
// in that format, or never opens one, does not pay for it.
// Each is imported once: later calls skip the module resolution, and keep working in a process that has
// since dropped the privileges it needed to read the installed files.
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
const CODECS: Record<StoreFormat, () => Promise<Codec>> = {
  json: once(async () => (await import('./codecs/json.js')).jsonCodec),
  yaml: once(async () => (await import('./codecs/yaml.js')).yamlCodec),
};
const writer = once(() => import('../fs/write-file-atomic.js'));
const lockCore = once(() => import('../lock/lock.js'));

/** The lock files held by the update functions running in the current async context. */
const inside = new AsyncLocalStorage<ReadonlySet<string>>();

/**
 * Run `fn` as an update function holding `lockfiles`. An update needing one of them from inside `fn`
 * would wait for a lock that only `fn`'s return can free: `refuseNested` refuses it instead of hanging.
 */
export function runInside<R>(lockfiles: readonly string[], fn: () => R): R {
  const outer = inside.getStore();
  return inside.run(new Set([...(outer ?? []), ...lockfiles]), fn);
}

export function refuseNested(lockfiles: readonly string[]): void {
  const held = inside.getStore();
  const busy = held && lockfiles.find((file) => held.has(file));
  if (busy !== undefined) {
    throw new StoreInvalidArgumentError(
      `an update function cannot update a store whose lock (${busy}) it holds: that would wait for ` +
        'itself forever; change the draft it was given instead',
    );
  }
}

export class StoreImpl<T> implements Store<T> {
  readonly path: string;
  readonly format: StoreFormat;
  readonly durable: boolean;
  readonly timeout: number | undefined;
  #codec: Codec | undefined;
  readonly #schema: StandardSchemaV1 | undefined;
  readonly #hasDefaults: boolean;
  readonly #defaults: unknown;
  readonly #lockfilePath: string | undefined;
  readonly #backend: BackendOption | undefined;
  readonly #followSymlinks: boolean;

  constructor(settings: StoreSettings) {
    this.path = settings.path;
    this.format = settings.format;
    this.durable = settings.durable;
    this.timeout = settings.timeout;
    this.#schema = settings.schema;
    this.#hasDefaults = settings.hasDefaults;
    this.#defaults = settings.defaults;
    this.#lockfilePath = settings.lockfilePath;
    this.#backend = settings.backend;
    this.#followSymlinks = settings.followSymlinks;
  }

  /** The lock file of this store (absolute). */
  get lockKey(): string {
    return this.#lockfilePath === undefined ? `${this.path}.lock` : path.resolve(this.#lockfilePath);
  }

  /** How `lock` / `lockAll` name this store's lock. */
  lockTarget(): Exclude<LockTarget, string> {
    return this.#lockfilePath === undefined
      ? { path: this.path }
      : { path: this.path, lockfilePath: this.#lockfilePath };
  }

  lockOptions(options: UpdateOptions): LockOptions {
    const timeout = options.timeout ?? this.timeout;
    return {
      ...(timeout === undefined ? {} : { timeout }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onWait === undefined ? {} : { onWait: options.onWait }),
      ...(this.#backend === undefined ? {} : { backend: this.#backend }),
    };
  }

  async #loadCodec(): Promise<Codec> {
    this.#codec ??= await CODECS[this.format]();
    return this.#codec;
  }

  /** Read and validate the file; the defaults when it is missing or empty. The value is a fresh, mutable one. */
  async load(): Promise<Loaded> {
    const codec = await this.#loadCodec();
    const bytes = await readStoreFile(this.path, this.#followSymlinks);
    let text = bytes === undefined ? undefined : decodeText(bytes);
    // An empty file holds no data to lose (a `touch`, or a non-atomic writer that crashed): like a missing one.
    if (text !== undefined && text.trim() === '') text = undefined;
    if (text === undefined) {
      if (!this.#hasDefaults) throw new StoreNotFoundError(this.path);
      const value = await validate(this.#schema, structuredClone(this.#defaults), this.path, 'defaults');
      return { text, value };
    }
    const parsed = codec.parse(text, this.path);
    return { text, value: await validate(this.#schema, parsed, this.path, 'file') };
  }

  /**
   * What writing `next` would mean: `undefined` when it changes nothing; else the bytes to write and the
   * value `read` will then return. The codec edits the file's text only where the value changed. The
   * bytes are decoded, parsed and compared with `next` before anything is written, so a value that does
   * not survive the format (a Date, NaN, a value behind a YAML alias) is refused, naming its path,
   * instead of being written as something else.
   */
  async plan(next: unknown, loaded: Loaded): Promise<Planned | undefined> {
    const codec = await this.#loadCodec();
    const value = await validate(this.#schema, next, this.path, 'update');
    if (sameData(value, loaded.value)) return undefined;
    const text = codec.stringify(value, this.path, loaded.text);
    const bytes = encodeText(text);
    const parsed = codec.parse(decodeText(bytes), this.path);
    const differs = firstDifference(parsed, value, []);
    if (differs) {
      throw new StoreSerializeError(this.path, this.format, 'would not read back as the update set it', {
        path: differs,
      });
    }
    const readBack = await validate(this.#schema, parsed, this.path, 'update');
    return { bytes, value: deepFreeze(readBack) };
  }

  async prepare(planned: Planned, signal: AbortSignal | undefined): Promise<PreparedWrite> {
    // Loaded on the first write: a process that only reads a store never loads the writer (nor node:crypto).
    const { prepareAtomicWrite } = await writer();
    return await prepareAtomicWrite(this.path, planned.bytes, {
      durable: this.durable,
      followSymlinks: this.#followSymlinks,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  async read(): Promise<DeepReadonly<T>> {
    return deepFreeze((await this.load()).value as T);
  }

  async update(fn: Updater<T>, options: UpdateOptions = {}): Promise<DeepReadonly<T>> {
    if (typeof fn !== 'function') throw new StoreInvalidArgumentError('update takes a function');
    refuseNested([this.lockKey]);
    const { lock } = await lockCore();
    const handle = await lock(this.path, {
      ...this.lockOptions(options),
      ...(this.#lockfilePath === undefined ? {} : { lockfilePath: this.#lockfilePath }),
    });
    try {
      const loaded = await this.load();
      const draft = structuredClone(loaded.value) as T;
      const returned = await runInside([this.lockKey], () => fn(draft));
      options.signal?.throwIfAborted();
      const planned = await this.plan(returned === undefined ? draft : returned, loaded);
      if (!planned) return deepFreeze(loaded.value as T);
      const prepared = await this.prepare(planned, options.signal);
      // Reading the signal checks, there and then, that the lock file is still the one locked. If someone
      // removed or replaced it meanwhile, another writer may be in: don't write.
      if (handle.signal.aborted) {
        await prepared.discard();
        throw handle.signal.reason;
      }
      await prepared.commit();
      return planned.value as DeepReadonly<T>;
    } finally {
      await handle.release();
    }
  }
}

/**
 * `openStore` itself, loaded: what the check-out registry and the CLI use once they are loaded. Users get
 * the facade of store-lazy.ts, which makes the same checks before this module is loaded.
 *
 * @throws {StoreInvalidArgumentError} `STORE_INVALID_ARGUMENT` as the facade documents.
 * @example
 * const registry = openStore<RegistryData>(file, { defaults: EMPTY_REGISTRY });
 */
export function openStore<T>(file: string, options: StoreOptions<T> = {}): Store<T> {
  return new StoreImpl<T>(storeSettings(file, options));
}
