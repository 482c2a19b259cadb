import { monotonicMs } from '../clock.js';
import { LockTimeoutError, LockUnsupportedError } from '../errors.js';
import type { HolderInfo, HolderRecord } from '../holder.js';
import type { BackendGrant, TryOptions } from './backends/backend.js';
import { currentHolder } from './backends/holder-json.js';
import { type LocalLock, localLock, type Turn } from './local-queue.js';
import { type LockOptions, type ResolvedLock, resolveLock } from './options.js';
import { MAX_DELAY, waitFor } from './wait-policy.js';
import { longTimeout, Waker } from './waiter.js';

/** A held lock. Release it with `release()` or let `await using` do it. */
export interface LockHandle extends AsyncDisposable {
  /** The absolute path that was locked (the name as given, for a backend of names such as PostgreSQL). */
  readonly path: string;
  /** The absolute path of the lock file (the lock's key, for a backend of names). */
  readonly lockfilePath: string;
  readonly shared: boolean;
  /** The backend that holds it (`'kernel'`, `'lease'`, ...). */
  readonly backend: string;
  /**
   * Aborts, with a `LockCompromisedError` as its reason, if the lock is ever lost (its lock file removed or
   * replaced by someone else, its lease or connection lost). Watching starts the first time it is read.
   * An abort is delivered by the event loop: a holder whose loop was blocked learns of a loss only once
   * it runs again. What `aborted === false` proves depends on the backend:
   * - `kernel`: the lock is never taken from a live holder; only the lock file's replacement or removal
   *   (which lets others lock the new file) aborts it, noticed within milliseconds by a folder watch.
   * - `lease`: a live holder on the same host (Linux: pid and start time) is never taken over, whatever
   *   its pauses. A holder on another host is taken over once its lease expires and learns it at its next
   *   heartbeat (every quarter lease): after a pause of more than ~3/4 of the lease, `false` is no proof.
   * - PostgreSQL: aborts when the session holding the lock is lost; use `fencingToken` against a paused
   *   holder's late writes.
   */
  readonly signal: AbortSignal;
  /**
   * Set by backends that issue fencing tokens (PostgreSQL): strictly increasing with each grant of this lock
   * by the backend, so a resource can refuse a write carrying an older token than one it has seen. Tasks
   * of one process that receive the lock from each other in-process share their grant's token.
   */
  readonly fencingToken?: bigint;
  /** Release the lock. Safe to call more than once; later calls return the first call's promise. */
  release(): Promise<void>;
}

class Handle implements LockHandle {
  readonly path: string;
  readonly lockfilePath: string;
  readonly shared: boolean;
  readonly backend: string;
  readonly fencingToken?: bigint;
  readonly #local: LocalLock;
  readonly #remove: boolean;
  #releasing: Promise<void> | undefined;
  #controller: AbortController | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(request: ResolvedLock, local: LocalLock) {
    this.path = request.path;
    this.lockfilePath = request.lockfilePath;
    this.shared = request.mode === 'shared';
    this.backend = request.backend.name;
    this.#remove = request.removeOnRelease;
    this.#local = local;
    const token = local.grant?.fencingToken;
    if (token !== undefined) this.fencingToken = token;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      const controller = new AbortController();
      this.#controller = controller;
      if (!this.#releasing) this.#unsubscribe = this.#local.onLoss((reason) => controller.abort(reason));
    }
    return this.#controller.signal;
  }

  release(): Promise<void> {
    this.#releasing ??= this.#release();
    return this.#releasing;
  }

  async #release(): Promise<void> {
    this.#unsubscribe?.();
    const grant = this.#local.leave();
    if (!grant) return;
    try {
      const releasing = grant.release({ remove: this.#remove });
      if (isThenable(releasing)) await releasing;
    } finally {
      this.#local.released();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

/** Whether a backend answered with a promise (or another thenable) rather than at once. */
function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/** Tracks the single `onWait` notification of one call. */
interface CallState {
  notified: boolean;
}

async function holderOf(request: ResolvedLock): Promise<HolderInfo | undefined> {
  try {
    return (await request.backend.inspect(request.lockfilePath)).holder;
  } catch {
    return undefined; // diagnostic only
  }
}

function notifyWait(request: ResolvedLock, call: CallState, holder: HolderInfo | undefined): void {
  if (call.notified || !request.onWait) return;
  call.notified = true;
  request.onWait({
    path: request.path,
    lockfilePath: request.lockfilePath,
    ...(holder ? { holder } : {}),
  });
}

/** Wait for this task's turn among the tasks of this process. */
async function localTurn(request: ResolvedLock, local: LocalLock): Promise<Turn> {
  const { turn, cancel } = local.wait(request.mode);
  const remaining = request.deadline - monotonicMs();
  const signal = request.signal;
  if (remaining === Number.POSITIVE_INFINITY && !signal) return turn;
  let cancelTimer: (() => void) | undefined;
  let onAbort: (() => void) | undefined;
  const gaveUp = new Promise<'timeout' | 'abort'>((resolve) => {
    if (remaining !== Number.POSITIVE_INFINITY)
      cancelTimer = longTimeout(() => resolve('timeout'), remaining);
    if (signal) {
      onAbort = () => resolve('abort');
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    const outcome = await Promise.race([turn, gaveUp]);
    if (typeof outcome === 'object') return outcome;
    // If the turn came at the same moment, cancel finds no ticket: take the turn, it is ours.
    if (!cancel()) return turn;
    if (outcome === 'abort') throw signal?.reason;
    throw new LockTimeoutError(request.lockfilePath, request.timeout, local.holder);
  } finally {
    cancelTimer?.();
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * An asynchronous backend may answer with a grant after the caller aborted (the abort came during the
 * round trip or the backend's brief wait): give it back and reject with the reason, as an abort promises.
 */
async function giveBackIfAborted(grant: BackendGrant, signal: AbortSignal | undefined): Promise<void> {
  if (!signal?.aborted) return;
  try {
    await grant.release({ remove: false });
  } catch {
    // The abort is what the caller asked about; a failed release has nothing to add to it.
  }
  signal.throwIfAborted();
}

/** Take the lock from the backend, retrying on wake-ups and a capped backoff until the deadline. */
async function fromBackend(
  request: ResolvedLock,
  call: CallState,
): Promise<{ grant: BackendGrant; holder: HolderRecord } | undefined> {
  const { backend, lockfilePath: key, mode, signal, dataFile } = request;
  let holder = currentHolder(mode);
  // The first attempt usually answers at once (the kernel backend's does): awaiting a value that is not a
  // promise would still cost a turn of the microtask queue, which a short-lived process runs cold.
  const first = backend.tryAcquire(key, mode, holder, dataFile ? { dataFile } : undefined);
  let grant = isThenable(first) ? await first : first;
  if (grant && signal) await giveBackIfAborted(grant, signal);
  if (grant) return { grant, holder };
  if (request.timeout === 0) return undefined;
  const waker = new Waker(backend, key);
  try {
    if (request.onWait) notifyWait(request, call, await holderOf(request));
    for (;;) {
      signal?.throwIfAborted();
      holder = currentHolder(mode);
      // A backend with a queue of its own (a server's, the kernel's) may wait there: how long is the
      // core's choice (wait-policy.ts), never past the call's deadline.
      const asked = monotonicMs();
      const wait = waitFor(backend, request.deadline - asked);
      const options: TryOptions = signal ? { wait, signal } : { wait };
      if (dataFile) options.dataFile = true;
      grant = await backend.tryAcquire(key, mode, holder, options);
      if (grant && signal) await giveBackIfAborted(grant, signal);
      if (grant) return { grant, holder };
      signal?.throwIfAborted();
      const remaining = request.deadline - monotonicMs();
      if (remaining <= 0) return undefined;
      const slept = monotonicMs() - asked;
      // It waited its whole turn in its queue: ask again at once, there is nothing to back off from.
      if (wait > MAX_DELAY && slept >= wait) continue;
      await waker.wait(remaining, signal, MAX_DELAY);
    }
  } finally {
    waker.close();
  }
}

/**
 * The one acquisition path behind `lock`, `tryLock`, `withLock` and `lockAll`.
 * Resolves `undefined` when the lock is busy and `busy` is `'undefined'`; otherwise busy means LOCK_TIMEOUT.
 */
export async function acquire(
  request: ResolvedLock,
  busy: 'throw' | 'undefined',
): Promise<LockHandle | undefined> {
  const { backend, lockfilePath: key, mode, signal } = request;
  signal?.throwIfAborted();
  if (mode === 'shared' && !backend.supportsShared) {
    throw new LockUnsupportedError(`The ${backend.name} backend does not support shared locks`);
  }
  const call: CallState = { notified: false };
  const local = localLock(backend, key);
  let turn = local.tryEnter(mode);
  if (!turn) {
    if (request.timeout === 0) {
      if (busy === 'undefined') return undefined;
      throw new LockTimeoutError(key, 0, local.holder);
    }
    notifyWait(request, call, local.holder);
    turn = await localTurn(request, local);
  }
  if (turn.kind === 'joined') return new Handle(request, local);
  let result: Awaited<ReturnType<typeof fromBackend>>;
  try {
    result = await fromBackend(request, call);
  } catch (error) {
    local.failed();
    throw error;
  }
  if (!result) {
    local.failed();
    if (busy === 'undefined') return undefined;
    throw new LockTimeoutError(key, request.timeout, await holderOf(request));
  }
  local.granted(result.grant, result.holder);
  return new Handle(request, local);
}

/**
 * Lock `path` (its lock file is `path + '.lock'`), waiting until the lock is held.
 * Waiting never blocks the event loop or libuv's threadpool.
 *
 * @throws {LockTimeoutError} `LOCK_TIMEOUT` when `timeout` passes; the error names the holder when known.
 * @throws {LockDirectoryError} `LOCK_DIRECTORY` when the lock file's folder cannot be created or accessed.
 * @throws {LockInvalidArgumentError} `LOCK_INVALID_ARGUMENT` for an empty path, a NUL byte, a folder, a bad timeout,
 *   an option of the wrong type (`shared: 'yes'`), a lock path where a FIFO, socket, device or symlink sits.
 * @throws {LockUnsupportedError} `LOCK_UNSUPPORTED` when the backend cannot be used here.
 * @throws `signal.reason` when `signal` aborts before the lock is held.
 * @example
 * await using handle = await lock('runtime/tasks.json', { timeout: 5_000 });
 * // ... read and write runtime/tasks.json; released when the block ends
 */
export async function lock(path: string, options?: LockOptions): Promise<LockHandle> {
  // With busy 'throw', acquire resolves a handle or rejects.
  return acquire(resolveLock(path, options), 'throw') as Promise<LockHandle>;
}

/**
 * Lock `path` if nobody else holds it; never waits.
 *
 * @returns the handle, or `undefined` when someone else (another process or task) holds the lock.
 * @throws the same errors as {@link lock}, except `LOCK_TIMEOUT`.
 * @example
 * const handle = await tryLock('cache.db');
 * if (!handle) return console.log('busy, try later');
 */
export async function tryLock(
  path: string,
  options?: Omit<LockOptions, 'timeout'>,
): Promise<LockHandle | undefined> {
  return acquire(resolveLock(path, { ...options, timeout: 0 }), 'undefined');
}

/**
 * Run `fn` while holding the lock of `path`; the lock is released when `fn` returns or throws.
 *
 * @throws the errors of {@link lock}, and whatever `fn` throws.
 * @example
 * const count = await withLock('counter.json', async () => {
 *   const n = JSON.parse(await readFile('counter.json', 'utf8')) + 1;
 *   await writeFile('counter.json', JSON.stringify(n));
 *   return n;
 * });
 */
export async function withLock<T>(
  path: string,
  fn: (handle: LockHandle) => T | Promise<T>,
  options?: LockOptions,
): Promise<T> {
  const handle = await lock(path, options);
  try {
    return await fn(handle);
  } finally {
    await handle.release();
  }
}
