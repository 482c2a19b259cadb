import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LockInvalidArgumentError, LockIOError, LockUnsupportedError } from '../errors.js';
import type { Backend } from '../lock/backends/backend.js';
import { selectBackend } from '../lock/backends/select.js';
import { type LockHandle, lock, tryLock } from '../lock/lock.js';
import { defaultFolder, prepareFolder, prepareSubfolder } from './folder.js';
import { Generation } from './generation.js';
import { lockFileName } from './lock-names.js';
import {
  type ParsedRequest,
  parseRequest,
  type WebLockInfo,
  type WebLockMode,
  type WebLockOptions,
} from './options.js';
import { CLIENT_ID, type ClientEntry, Registry } from './registry.js';

/** What the callback of `request` holds: the spec's `Lock`. */
export class WebLock implements WebLockInfo {
  readonly name: string;
  readonly mode: WebLockMode;

  constructor(name: string, mode: WebLockMode) {
    this.name = name;
    this.mode = mode;
  }

  get [Symbol.toStringTag](): string {
    return 'Lock';
  }
}

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

/** How often a steal replaces the lock file before it waits like any request (another stealer keeps winning). */
const STEAL_ROUNDS = 16;
/** How long a granted waiter waits at most for a steal in progress to finish, in ms. */
const MARKER_PATIENCE = 5_000;
/** The reason given to the core when this layer cancels a wait to queue it again in a new generation. */
const REQUEUED = new Error('requeued after a steal');

type Kind = 'wait' | 'ifAvailable' | 'steal';

interface Request {
  readonly seq: number;
  readonly name: string;
  readonly mode: WebLockMode;
  readonly file: string;
  kind: Kind;
  readonly signal: AbortSignal | undefined;
  readonly callback: ParsedRequest<unknown>['callback'];
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  state: 'pending' | 'held' | 'stolen' | 'done';
  /** performance.timeOrigin + now, when requested, then when granted: comparable across processes. */
  since: number;
  /** The current wait in the core; cancelled when the request is queued again. */
  attempt: AbortController | undefined;
  /** The generation whose lock it holds, once granted. */
  generation: Generation | undefined;
  /** It had to wait at least once (a waiter may be handed a file that a steal is installing). */
  waited: boolean;
}

/** The requests of one name made through one manager. */
interface NameState {
  generation: Generation;
  /** In the order of the requests (a Set keeps insertion order): the order in which they are queued again. */
  readonly requests: Set<Request>;
}

interface Setup {
  locks: string;
  base: Backend;
  registry: Registry;
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

function stolenError(name: string): DOMException {
  return new DOMException(
    `The lock "${name}" was stolen: its lock file was replaced (by a request with steal: true) or removed`,
    'AbortError',
  );
}

/** The file a stealer locks while it replaces and takes the lock file `file`. */
function stealMarker(file: string): string {
  return `${file}.steal`;
}

/** Replace the lock file with a new, empty one: a new inode that new requests lock, and that holders of the old one notice. */
function replaceLockFile(file: string): void {
  const fresh = `${file}.${randomBytes(6).toString('hex')}.steal`;
  try {
    fs.writeFileSync(fresh, '', { flag: 'wx', mode: 0o666 });
    fs.renameSync(fresh, file);
  } catch (error) {
    fs.rmSync(fresh, { force: true });
    throw new LockIOError(file, 'replace', error);
  }
}

/**
 * The Web Locks API (`navigator.locks`) across processes: the same `request()` and `query()`, with locks
 * that exclude every process and thread using the same folder, not only the tasks of one process.
 *
 * Each name is a lock file in `<dir>/locks/` (see `lockFileName`), locked with locksmith's kernel lock, so
 * a process that dies releases its locks at once. Requests of one process queue first-in first-out per
 * name, in the core's in-process queue; between processes there is no queue: when a lock is released, the
 * waiting processes retry (woken by a folder watch, or by a backoff of at most 50 ms) and the first to
 * retry gets it.
 */
export class LockManager {
  #folder: string | undefined;
  readonly #checkOwner: boolean;
  #setup: Setup | undefined;
  readonly #names = new Map<string, NameState>();
  #seq = 0;

  constructor(options: LockManagerOptions = {}) {
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
   *   folder is on a filesystem where flock cannot be trusted (network, cluster, FUSE); whatever `callback` throws.
   * @example
   * await locks.request('feeds.yaml', async (lock) => {
   *   // no other process or task holds "feeds.yaml" until this function returns
   * });
   */
  request<T>(name: string, callback: (lock: WebLock | null) => T | PromiseLike<T>): Promise<Awaited<T>>;
  request<T>(
    name: string,
    options: WebLockOptions,
    callback: (lock: WebLock | null) => T | PromiseLike<T>,
  ): Promise<Awaited<T>>;
  request(name: unknown, optionsOrCallback: unknown, maybeCallback?: unknown): Promise<unknown> {
    let parsed: ParsedRequest<unknown>;
    let setup: Setup;
    try {
      parsed = parseRequest(name, optionsOrCallback, maybeCallback);
      setup = this.#ready();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const state = this.#state(parsed.name, setup);
      const request: Request = {
        seq: this.#seq++,
        name: parsed.name,
        mode: parsed.mode,
        file: path.join(setup.locks, lockFileName(parsed.name)),
        kind: parsed.steal ? 'steal' : parsed.ifAvailable ? 'ifAvailable' : 'wait',
        signal: parsed.signal,
        callback: parsed.callback,
        resolve,
        reject,
        state: 'pending',
        since: now(),
        attempt: undefined,
        generation: undefined,
        waited: false,
      };
      state.requests.add(request);
      if (request.kind === 'steal') {
        this.#steal(state, request).catch((error: unknown) => {
          this.#finish(state, request);
          request.reject(error);
        });
      } else if (request.kind === 'ifAvailable') this.#tryOnce(state, request);
      else this.#wait(state, request);
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
    const mine = this.#entries();
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
    const base = selectBackend(undefined, path.join(locks, 'web-locks.lock'));
    if (base.name !== 'kernel') {
      throw new LockUnsupportedError(
        `Web Locks need the kernel backend (flock on a local filesystem), but ${locks} gets the ${base.name} backend` +
          (base.reason ? ` (${base.reason})` : ''),
      );
    }
    this.#setup = { locks, base, registry: new Registry(clients, base) };
    return this.#setup;
  }

  #state(name: string, setup: Setup): NameState {
    let state = this.#names.get(name);
    if (!state) {
      state = { generation: new Generation(setup.base), requests: new Set() };
      this.#names.set(name, state);
    }
    return state;
  }

  /** This manager's own requests, exact. */
  #entries(): ClientEntry[] {
    const entries: ClientEntry[] = [];
    for (const state of this.#names.values()) {
      for (const r of state.requests) {
        // ifAvailable and steal requests are decided at once in the spec: they are never seen pending.
        if (r.state === 'held' || (r.state === 'pending' && r.kind === 'wait')) {
          entries.push({
            name: r.name,
            mode: r.mode,
            clientId: CLIENT_ID,
            state: r.state,
            since: r.since,
            seq: r.seq,
          });
        }
      }
    }
    return entries;
  }

  /** Queue `request` in the core's FIFO of the name's current generation and wait there. */
  #wait(state: NameState, request: Request): void {
    const signal = request.signal;
    if (signal?.aborted) {
      // Aborted while it was being queued again: its old wait's rejection was ignored as superseded.
      request.attempt = undefined;
      this.#finish(state, request);
      request.reject(signal.reason);
      return;
    }
    const generation = state.generation;
    const attempt = new AbortController();
    request.attempt = attempt;
    const onAbort = () => attempt.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    lock(request.file, {
      lockfilePath: request.file,
      shared: request.mode === 'shared',
      signal: attempt.signal,
      backend: generation.backend,
      onWait: () => {
        request.waited = true;
        this.#setup!.registry.pending(request.seq, request, request.since);
      },
    }).then(
      async (handle) => {
        signal?.removeEventListener('abort', onAbort);
        if (request.waited) await this.#stealsDone(request.file);
        if (request.attempt !== attempt || request.state !== 'pending') void handle.release();
        else this.#grant(state, request, generation, handle);
      },
      (error: unknown) => {
        signal?.removeEventListener('abort', onAbort);
        if (request.attempt !== attempt) return; // cancelled by this layer, queued again elsewhere
        this.#finish(state, request);
        request.reject(error);
      },
    );
  }

  /** `ifAvailable`: take the lock now or call back with `null`. */
  #tryOnce(state: NameState, request: Request): void {
    const generation = state.generation;
    tryLock(request.file, {
      lockfilePath: request.file,
      shared: request.mode === 'shared',
      backend: generation.backend,
    }).then(
      (handle) => {
        if (handle && this.#grant(state, request, generation, handle)) return;
        this.#finish(state, request);
        this.#callBack(request, null, (value) => request.resolve(value), request.reject);
      },
      (error: unknown) => {
        this.#finish(state, request);
        request.reject(error);
      },
    );
  }

  /**
   * `steal`: every holder of the name, in this process and in others, loses it (an `AbortError`), and this
   * request is granted before any pending one. The kernel cannot take a lock away from a process, so the
   * lock file is replaced by a new one that this request locks; the old holders' handles report the
   * replacement (their `signal` aborts) and their requests reject. Their callbacks keep running.
   */
  async #steal(state: NameState, request: Request): Promise<void> {
    // The steal marker, locked while the lock file is being replaced and taken: a waiter of any process
    // woken by the replacement may lock the new file before we do; seeing the marker locked, it waits for
    // the marker, then finds its file replaced again and queues again instead of running (see #stealsDone).
    // The kernel backend takes the marker inside the tryLock call, before the replacement below.
    const markerPath = stealMarker(request.file);
    const marker = tryLock(markerPath, { lockfilePath: markerPath, backend: this.#setup!.base });
    try {
      await this.#stealRounds(state, request);
    } finally {
      await marker.then(
        (handle) => handle?.release(),
        () => {}, // a marker we could not take only makes waiters less patient
      );
    }
  }

  async #stealRounds(state: NameState, request: Request): Promise<void> {
    for (let round = 0; ; round++) {
      try {
        replaceLockFile(request.file);
      } catch (error) {
        this.#finish(state, request);
        request.reject(error);
        return;
      }
      this.#robHolders(state, undefined);
      if (round >= STEAL_ROUNDS) {
        // Someone keeps taking the new file first (another stealer): wait for it, first in this process.
        // Waiting releases the marker (finally, above), so that whoever holds the file can go on.
        request.kind = 'wait';
        this.#newGeneration(state, () => this.#wait(state, request));
        return;
      }
      let attempt!: Promise<LockHandle | undefined>;
      let generation!: Generation;
      // The new generation's FIFO: this request first (the kernel attempt is made right away, right
      // after the replacement), then the pending requests in their order.
      this.#newGeneration(state, () => {
        generation = state.generation;
        attempt = tryLock(request.file, { lockfilePath: request.file, backend: generation.backend });
      });
      let handle: LockHandle | undefined;
      try {
        handle = await attempt;
      } catch (error) {
        this.#finish(state, request);
        request.reject(error);
        return;
      }
      if (handle && this.#grant(state, request, generation, handle)) return;
      // Another process locked the new file between our rename and our attempt: steal it again.
    }
  }

  /**
   * Wait while a steal of this lock file is in progress (its marker is locked), for at most
   * MARKER_PATIENCE ms: a live stealer holds the marker for microseconds, a dead one not at all.
   */
  async #stealsDone(file: string): Promise<void> {
    const markerPath = stealMarker(file);
    const deadline = performance.now() + MARKER_PATIENCE;
    try {
      while ((await this.#setup!.base.inspect(markerPath)).locked && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    } catch {
      // The marker cannot be looked at: go on; a steal in progress then robs this request after its grant.
    }
  }

  /** Every held request of the name (of one generation, or all) has lost its lock: reject them. */
  #robHolders(state: NameState, generation: Generation | undefined): void {
    for (const r of state.requests) {
      if (r.state !== 'held') continue;
      if (generation && r.generation !== generation) continue;
      r.state = 'stolen';
      this.#setup!.registry.gone(r.seq);
      r.reject(stolenError(r.name));
    }
  }

  /**
   * Start a new generation of the name: `first` queues in it first, then every waiting request is
   * cancelled where it waits and queued again, in request order.
   */
  #newGeneration(state: NameState, first: () => void): void {
    const waiting = [...state.requests].filter((r) => r.state === 'pending' && r.attempt);
    state.generation = new Generation(this.#setup!.base);
    first();
    for (const r of waiting) {
      const old = r.attempt!;
      r.attempt = undefined; // before aborting, so that the old wait's rejection is ignored
      old.abort(REQUEUED);
      this.#wait(state, r);
    }
  }

  /** A handle of `generation` found its lock file replaced: someone stole the name. */
  #lost(state: NameState, generation: Generation): void {
    this.#robHolders(state, generation);
    if (state.generation === generation) this.#newGeneration(state, () => {});
  }

  /**
   * The core granted `handle` to `request`: run the callback, release when it settles. Returns false,
   * with the handle released, when the handle locks a file that was replaced meanwhile (stolen).
   */
  #grant(state: NameState, request: Request, generation: Generation, handle: LockHandle): boolean {
    if (generation.isStale(handle)) {
      void handle.release();
      this.#lost(state, generation);
      return false;
    }
    generation.live++;
    request.state = 'held';
    request.since = now();
    request.generation = generation;
    request.attempt = undefined;
    handle.signal.addEventListener('abort', () => this.#lost(state, generation), { once: true });
    try {
      this.#setup!.registry.held(request.seq, request, request.since);
    } catch (error) {
      void this.#end(state, request, generation, handle, { error });
      return true;
    }
    this.#callBack(
      request,
      new WebLock(request.name, request.mode),
      (value) => this.#end(state, request, generation, handle, { value }),
      (error) => this.#end(state, request, generation, handle, { error }),
    );
    return true;
  }

  /** Release the lock of a granted request, then settle it (a failed release rejects it). Never rejects. */
  async #end(
    state: NameState,
    request: Request,
    generation: Generation,
    handle: LockHandle,
    outcome: { value: unknown } | { error: unknown },
  ): Promise<void> {
    // Robbed by another process (or manager) whose steal this process has not heard of yet: tell this
    // request, and queue the waiters again, before the core can hand them the lock on the old file.
    if (request.state === 'held' && generation.replaced(request.file)) this.#lost(state, generation);
    generation.live--;
    let result = outcome;
    try {
      await handle.release();
    } catch (error) {
      result = { error };
    }
    this.#finish(state, request);
    // A stolen request was rejected when it was robbed; its callback's outcome has nowhere to go.
    if (request.state === 'stolen') return;
    if ('error' in result) request.reject(result.error);
    else request.resolve(result.value);
  }

  /** Invoke the callback (never synchronously within `request`), and pass on how its promise settles. */
  #callBack(
    request: Request,
    lock: WebLock | null,
    onValue: (value: unknown) => unknown,
    onError: (error: unknown) => unknown,
  ): void {
    Promise.resolve()
      .then(() => request.callback(lock))
      .then(onValue, onError);
  }

  #finish(state: NameState, request: Request): void {
    if (request.state !== 'stolen') request.state = 'done';
    state.requests.delete(request);
    if (state.requests.size === 0 && this.#names.get(request.name) === state)
      this.#names.delete(request.name);
    this.#setup!.registry.gone(request.seq);
  }
}

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
  return new LockManager(options);
}

/** The Web Locks of this user: `navigator.locks`, across processes. */
export const locks: LockManager = createLockManager();
