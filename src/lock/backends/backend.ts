import type { HolderInfo, HolderRecord } from '../../holder.js';

export type LockMode = 'exclusive' | 'shared';

/** What a backend knows about a lock without taking it. */
export interface BackendStatus {
  locked: boolean;
  /** The mode it is held in, when the backend can tell. */
  mode?: LockMode;
  holder?: HolderInfo;
}

/** Options of one `tryAcquire`. */
export interface TryOptions {
  /**
   * Milliseconds the backend may wait for the lock in a queue of its own (a server's lock queue, or the
   * kernel's wait queue, which hand the lock straight to the next waiter), answering `undefined` after
   * that. The core decides it (src/lock/wait-policy.ts): absent on a call's first attempt and on
   * `tryLock`; on a waiting call's retries, up to one backoff step, or longer for a backend that `queues`,
   * never past the call's deadline. Backends may ignore it.
   */
  wait?: number;
  /** The call's signal: a backend that waits should stop waiting when it aborts. */
  signal?: AbortSignal;
  /**
   * The lock file is the caller's own data file (`lockfilePath` equal to `path`, flock(1) style): the
   * backend writes nothing into it and never removes it. Passed on every attempt of such a call.
   */
  dataFile?: boolean;
}

/** One acquisition granted by a backend. */
export interface BackendGrant {
  /**
   * Give the lock back. Called exactly once by the core. May be asynchronous (a connection-based backend
   * answers over the network); must not throw for a lock that was already lost.
   */
  release(options: { remove: boolean }): void | Promise<void>;
  /**
   * Start watching for loss of this lock; `onLost` is called at most once, with the reason. Returns a
   * function that stops watching. The core calls it lazily, the first time a user reads `handle.signal`,
   * so an unobserved lock costs nothing.
   */
  watchLoss(onLost: (reason: Error) => void): () => void;
  /**
   * A cheap check that the lock is still held, made before the core hands it to the next task of this
   * process (a loss is otherwise only noticed by someone watching `signal`). Absent means "assume yes".
   */
  stillHeld?(): boolean;
  /**
   * A number that strictly increases with each grant of this lock, for backends that can issue one (the
   * PostgreSQL backend does), so a resource can refuse writes from a holder whose lock was lost.
   */
  readonly fencingToken?: bigint;
}

/**
 * A lock backend. It only answers "try once" and "release"; waiting, timeouts, cancellation, in-process
 * queues and wake-ups live in the core (`src/lock/`), the same for every backend.
 *
 * Methods may answer synchronously (the kernel backend does: a non-blocking flock is a syscall) or with a
 * promise (a backend that talks to a server), so the interface stays open to connection-based backends.
 */
export interface Backend {
  /** Shown on handles and in `inspect` (`'kernel'`, `'lease'`, ...). */
  readonly name: string;
  /** Whether `shared` locks are supported; the core refuses them with `LOCK_UNSUPPORTED` otherwise. */
  readonly supportsShared: boolean;
  /**
   * Try to take the lock once, without waiting. Resolves a grant when held, `undefined` when someone
   * else holds it (a normal answer, not an error). Throws only on real failures, as `LocksmithError`s.
   */
  tryAcquire(
    key: string,
    mode: LockMode,
    holder: HolderRecord,
    options?: TryOptions,
  ): BackendGrant | undefined | Promise<BackendGrant | undefined>;
  /** Whether the lock is held and by whom, without taking it for longer than a probe. */
  inspect(key: string): BackendStatus | Promise<BackendStatus>;
  /**
   * Optional wake-up hint: call `onChange` whenever the lock may have been released. The core still polls
   * with a capped backoff, because a crashed holder sends no wake-up. Returns a function that stops watching.
   */
  watch?(key: string, onChange: () => void): () => void;
  /**
   * Optional, for backends that lock *names* rather than files (a server's locks): the key of the lock
   * named `name` (`lockfilePath`, when the caller passed one, names it instead). When present, the core
   * uses it as the lock's key, shown as the handle's and errors' `lockfilePath`, and leaves the file
   * system alone: the name is not resolved to an absolute path and no folder is checked or created.
   * Throws `LockInvalidArgumentError` for a name the backend cannot lock.
   */
  keyFor?(name: string, lockfilePath: string | undefined): string;
  /**
   * The one capability flag of waiting: `tryAcquire`'s `wait` sleeps in a queue that costs nothing and
   * stops on abort (the kernel backend's wait queue), so the core may pass long waits. Absent or false:
   * the core passes at most one backoff step.
   */
  readonly queues?: boolean | undefined;
  /** Why this backend was chosen for `key` (for `inspect`), when selection was automatic. */
  readonly reason?: string | undefined;
  /**
   * How long (ms) the tasks of one process may pass a grant of this backend to each other, from its first
   * such hand-off, before it goes back through the backend so that other processes get their turn
   * (`LOCAL_HANDOFF_MS`, 10, when absent). A backend whose grant costs a round trip to a server sets more,
   * so that giving it back costs a small share of the time.
   */
  readonly handoffMs?: number | undefined;
}
