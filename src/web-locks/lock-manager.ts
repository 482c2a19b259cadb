import path from 'node:path';
import { LockInvalidArgumentError, LockUnsupportedError } from '../errors.js';
import { aliasBackend } from '../lock/backends/alias.js';
import type { Backend } from '../lock/backends/backend.js';
import { selectBackend } from '../lock/backends/select.js';
import { type ClientEntry, Registry } from './client-registry.js';
import { defaultFolder, prepareFolder, prepareSubfolder } from './folder.js';
import type { Lock } from './lock.js';
import { lockFileName } from './lock-names.js';
import { type ParsedRequest, parseRequest, type WebLockMode, type WebLockOptions } from './options.js';
import { NameQueue, now, type QueueContext, type Request } from './request-queue.js';

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

interface Setup extends QueueContext {
  locks: string;
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
  #setup: Setup | undefined;
  readonly #names = new Map<string, NameQueue>();
  #seq = 0;

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
    let setup: Setup;
    try {
      parsed = parseRequest(name, optionsOrCallback, rest[0]);
      setup = this.#ready();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const request: Request = {
        seq: this.#seq++,
        name: parsed.name,
        mode: parsed.mode,
        kind: parsed.steal ? 'steal' : parsed.ifAvailable ? 'ifAvailable' : 'wait',
        signal: parsed.signal,
        callback: parsed.callback,
        resolve,
        reject,
        state: 'pending',
        since: now(),
      };
      this.#queue(parsed.name, setup).add(request);
    });
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
  async query(): Promise<WebLockSnapshot> {
    const setup = this.#ready();
    const others = await setup.registry.others();
    const mine = [...this.#names.values()].flatMap((queue) => queue.entries());
    const all = [...mine, ...others].sort(
      (a, b) => a.since - b.since || a.clientId.localeCompare(b.clientId) || a.seq - b.seq,
    );
    const info = ({ name, mode, clientId }: ClientEntry): WebLockClientInfo => ({ name, mode, clientId });
    return {
      held: all.filter((e) => e.state === 'held').map(info),
      pending: all.filter((e) => e.state === 'pending').map(info),
    };
  }

  #ready(): Setup {
    if (this.#setup) return this.#setup;
    prepareFolder(this.folder, this.#checkOwner);
    const locks = path.join(this.folder, 'locks');
    const clients = path.join(this.folder, 'clients');
    prepareSubfolder(locks);
    prepareSubfolder(clients);
    // Steal replaces the lock file, which only means something to a lock on the file itself (flock). The
    // lease backend, chosen by 'auto' on network filesystems, locks differently: refuse rather than pretend.
    const base: Backend = selectBackend(undefined, path.join(locks, 'web-locks.lock'));
    if (base.name !== 'kernel') {
      throw new LockUnsupportedError(
        `Web Locks need the kernel backend (flock on a local filesystem), but ${locks} gets the ${base.name} backend` +
          (base.reason ? ` (${base.reason})` : ''),
      );
    }
    const names = this.#names;
    this.#setup = {
      locks,
      base,
      // An alias of our own: this manager's waits queue apart from others'. A wait that sleeps in the kernel
      // on a lock file a steal then replaces is aborted and started again by KernelLock.wait.
      waitBackend: aliasBackend(base),
      registry: new Registry(clients, base),
      idle: (queue) => {
        if (names.get(queue.name) === queue) names.delete(queue.name);
      },
    };
    return this.#setup;
  }

  #queue(name: string, setup: Setup): NameQueue {
    let queue = this.#names.get(name);
    if (!queue) {
      queue = new NameQueue(name, path.join(setup.locks, lockFileName(name)), setup);
      this.#names.set(name, queue);
    }
    return queue;
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
