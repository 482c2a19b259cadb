import path from 'node:path';
import { LockInvalidArgumentError } from '../errors.js';
import { defaultFolder } from './folder.js';
import type { Lock } from './lock.js';
import type { ManagerCore } from './manager-core.js';
import { type ParsedRequest, parseRequest, type WebLockMode, type WebLockOptions } from './options.js';

// The class users see checks each call's arguments at once, as the spec orders them; the queues, the kernel
// locks and the registry (manager-core.ts and what it imports) load with the process's first `request` or
// `query`, so that `import('locksmith')` does not pay for Web Locks it may never use.

/** One entry of `query()`: the spec's `LockInfo`. */
export interface WebLockClientInfo {
  name: string;
  mode: WebLockMode;
  /** `node-<pid>-<threadId>` of the process (and thread) that made the request. */
  clientId: string;
}

/** The answer of `query()`: the spec's `LockManagerSnapshot`. */
export interface WebLockSnapshot {
  held: WebLockClientInfo[];
  pending: WebLockClientInfo[];
}

/** Options of `createLockManager`. */
export interface LockManagerOptions {
  /**
   * The folder of the lock files and of the query registry; created (mode 0700) if missing. Processes
   * coordinate when they use the same folder. Default: a per-user folder, `$XDG_RUNTIME_DIR/locksmith-web-locks`,
   * else `<tmpdir>/locksmith-web-locks-<uid>` (refused if another user owns it or may enter it).
   */
  dir?: string;
}

/** Passed by `createLockManager` only: WebIDL interfaces without a constructor cannot be made by users. */
const INTERNAL = Symbol('locksmith lock manager');

type CoreModule = typeof import('./manager-core.js');
let coreModule: CoreModule | undefined;
/** Calls made while manager-core.ts loads, of every manager, in call order. */
let waiting: { run: (module: CoreModule) => void; fail: (error: unknown) => void }[] | undefined;

/**
 * Run `run` once the core module is loaded. Calls that wait run in the order they were made, all of them
 * before any later call, so that requests made in one tick are queued in call order, across managers too,
 * as they were when the core was loaded at import.
 */
function whenLoaded(run: (module: CoreModule) => void, fail: (error: unknown) => void): void {
  if (waiting) {
    waiting.push({ run, fail });
    return;
  }
  const calls = [{ run, fail }];
  waiting = calls;
  import('./manager-core.js').then(
    (module) => {
      coreModule = module;
      // Calls made by these runs join `calls` and run in this loop, still before any later call.
      for (let i = 0; i < calls.length; i++) {
        const call = calls[i]!;
        try {
          call.run(module);
        } catch (error) {
          call.fail(error);
        }
      }
      waiting = undefined;
    },
    (error: unknown) => {
      waiting = undefined;
      for (const call of calls) call.fail(error);
    },
  );
}

/**
 * The Web Locks API (`navigator.locks`) across processes: the same `request()` and `query()`, with locks
 * that exclude every process and thread using the same folder, not only the tasks of one process.
 *
 * Within one manager, requests follow the spec's algorithm exactly: one queue per name, decided in call
 * order (see `NameQueue`). Each name is also a lock file in `<dir>/locks/` (see `lockFileName`), locked
 * with locksmith's kernel lock while this manager holds the name, so that a process that dies releases
 * its locks at once. Between processes there is no common queue: when a lock is released, the first
 * waiting process to get the kernel lock gets it (see the README's "Ordering").
 *
 * Made by `createLockManager` (or use `locks`); `new LockManager()` throws a `TypeError`, as in WebIDL.
 */
export class LockManager {
  #folder: string | undefined;
  readonly #checkOwner: boolean;
  #core: ManagerCore | undefined;

  /** @internal Not constructible by users (`TypeError: Illegal constructor`): use `createLockManager`. */
  constructor(token: symbol, options: LockManagerOptions = {}) {
    if (token !== INTERNAL) throw new TypeError('Illegal constructor');
    if (options.dir === undefined) {
      this.#folder = undefined; // chosen on first use: importing locksmith touches no file
      this.#checkOwner = true;
    } else {
      if (typeof options.dir !== 'string' || options.dir === '' || options.dir.includes('\0')) {
        throw new LockInvalidArgumentError('dir must be a non-empty string without NUL bytes');
      }
      this.#folder = path.resolve(options.dir);
      this.#checkOwner = false;
    }
  }

  /** The folder of the lock files and of the query registry. */
  get folder(): string {
    this.#folder ??= defaultFolder();
    return this.#folder;
  }

  /** Hand a call to this manager's core: synchronously once the core is loaded. */
  #use<R>(call: (core: ManagerCore) => Promise<R>): Promise<R> {
    if (coreModule && !waiting) {
      this.#core ??= new coreModule.ManagerCore(() => this.folder, this.#checkOwner);
      return call(this.#core);
    }
    return new Promise<R>((resolve, reject) => {
      whenLoaded((module) => {
        this.#core ??= new module.ManagerCore(() => this.folder, this.#checkOwner);
        call(this.#core).then(resolve, reject);
      }, reject);
    });
  }

  /**
   * Request the lock `name` and run `callback` while it is held; the lock is released when the promise
   * `callback` returns settles, and `request` settles like it. See the README's "Web Locks" section.
   *
   * @returns what `callback` returned (awaited).
   * @throws (rejects with) a `NotSupportedError` `DOMException` for a name starting with `-`, `steal` with
   *   `ifAvailable` or with mode `'shared'`, or `signal` with `steal` or `ifAvailable`; a `TypeError` for a
   *   missing callback or a bad mode; `signal.reason` when the signal aborts before the lock is granted; an
   *   `AbortError` `DOMException` when another request steals the lock (the callback keeps running);
   *   `LOCK_DIRECTORY` when the folder cannot be created or is not private; `LOCK_UNSUPPORTED` when the
   *   folder is on a filesystem where flock cannot be trusted (network, cluster, FUSE); `LOCK_IO` when the
   *   lock file cannot be opened (`EMFILE`: out of descriptors; later requests work once some are
   *   released); whatever `callback` throws.
   * @example
   * await locks.request('feeds.yaml', async (lock) => {
   *   // no other process or task holds "feeds.yaml" until this function returns
   * });
   */
  request<T>(name: string, callback: (lock: Lock | null) => T | PromiseLike<T>): Promise<Awaited<T>>;
  request<T>(
    name: string,
    options: WebLockOptions,
    callback: (lock: Lock | null) => T | PromiseLike<T>,
  ): Promise<Awaited<T>>;
  // `...rest`: the length of `request` is 2, as WebIDL gives it (`request(name, callback)`).
  request(name: unknown, optionsOrCallback: unknown, ...rest: unknown[]): Promise<unknown> {
    let parsed: ParsedRequest<unknown>;
    try {
      parsed = parseRequest(name, optionsOrCallback, rest[0]);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#use((core) => core.request(parsed));
  }

  /**
   * The held and pending requests of every live process using this folder. Entries of processes that
   * died never show (the registry knows a live process by a kernel lock it holds, not by its pid).
   * `held` is in the order the locks were granted, `pending` in the order they were requested (across
   * processes, by the clock); this process's own requests are exact, other processes' are as they last
   * wrote them.
   *
   * @throws {LockDirectoryError} `LOCK_DIRECTORY` when the folder cannot be created or is not private.
   * @throws {WebLocksRegistryError} `WEB_LOCKS_REGISTRY` when another live process's registry file is unreadable.
   * @example
   * const { held, pending } = await locks.query();
   * for (const lock of held) console.log(`${lock.name} (${lock.mode}) held by ${lock.clientId}`);
   */
  query(): Promise<WebLockSnapshot> {
    return this.#use((core) => core.query());
  }
}

// WebIDL operations are enumerable; the class tag is a non-writable data property.
Object.defineProperties(LockManager.prototype, {
  request: { enumerable: true },
  query: { enumerable: true },
  [Symbol.toStringTag]: { value: 'LockManager', writable: false, enumerable: false, configurable: true },
});

/**
 * A manager of Web Locks kept in `dir` (default: a per-user folder). Managers of every process that use
 * the same folder exclude each other. Nothing touches the disk until the first `request` or `query`.
 *
 * @throws {LockInvalidArgumentError} `LOCK_INVALID_ARGUMENT` for an empty `dir` or one with a NUL byte.
 * @example
 * const locks = createLockManager({ dir: '/run/myapp/locks' });
 * await locks.request('db-migration', async () => migrate());
 */
export function createLockManager(options?: LockManagerOptions): LockManager {
  return new LockManager(INTERNAL, options);
}

/** The Web Locks of this user: `navigator.locks`, across processes. */
export const locks: LockManager = createLockManager();
