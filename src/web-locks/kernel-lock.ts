import fs from 'node:fs';
import type { Backend, BackendGrant, LockMode } from '../lock/backends/backend.js';
import { watchViaFolder } from '../lock/backends/folder-watch.js';
import { type LockHandle, lock } from '../lock/lock.js';
import { stealLockFile, stealsDone, syncTry } from './steal.js';

/** The reason given to the core when a wait is no longer wanted (the queue's head changed). */
const CANCELLED = new Error('Web Locks wait cancelled');
/** The reason given to the core when the lock file was replaced (a steal) under a wait: it waits again. */
const REPLACED = new Error('Web Locks lock file replaced');

/** Which file a path names. */
interface FileId {
  dev: bigint;
  ino: bigint;
}

function fileAt(file: string): FileId | undefined {
  const stat = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
  return stat && { dev: stat.dev, ino: stat.ino };
}

/** A kernel lock this process holds on a name's lock file: taken at once (a grant) or after a wait (a handle). */
interface Hold {
  readonly mode: LockMode;
  /** Whether the path still names the file this hold locks: false once a steal (or anyone) replaced it. */
  stillHeld(): boolean;
  watchLoss(onLost: () => void): () => void;
  release(): void;
}

function grantHold(grant: BackendGrant, mode: LockMode): Hold {
  return {
    mode,
    stillHeld: () => grant.stillHeld?.() ?? true,
    watchLoss: (onLost) => grant.watchLoss(onLost),
    release: () => {
      try {
        void Promise.resolve(grant.release({ remove: false })).catch(() => {});
      } catch {
        // Releasing a lock on a file that is gone cannot fail in a way anyone could act on.
      }
    },
  };
}

function handleHold(handle: LockHandle, id: FileId | undefined): Hold {
  return {
    mode: handle.shared ? 'shared' : 'exclusive',
    stillHeld: () => {
      if (handle.signal.aborted || !id) return false;
      const now = fileAt(handle.lockfilePath);
      return now !== undefined && now.dev === id.dev && now.ino === id.ino;
    },
    watchLoss: (onLost) => {
      handle.signal.addEventListener('abort', onLost, { once: true });
      return () => handle.signal.removeEventListener('abort', onLost);
    },
    release: () => void handle.release().catch(() => {}),
  };
}

/**
 * This process's kernel lock on the lock file of one name, shared by the requests of one manager that
 * hold the name: the spec's queue runs in `NameQueue`, and this lock is what makes its grants exclude
 * other processes (and other managers). Taken synchronously when free (a non-blocking flock), so that a
 * request is granted within `request()` as the spec's queue grants it; else waited for in the core's
 * `lock` (asleep in flock(2) on Linux), after which the queue is processed again.
 */
export class KernelLock {
  #hold: Hold | undefined;
  #stopWatch: (() => void) | undefined;
  #wait: { mode: LockMode; controller: AbortController } | undefined;

  constructor(
    readonly file: string,
    private readonly base: Backend,
    /** An alias of `base`: this manager's waits queue apart from other managers'. */
    private readonly waitBackend: Backend,
    /** Another process (or manager) stole the name from this process's holders. */
    private readonly onLost: () => void,
  ) {}

  get held(): LockMode | undefined {
    return this.#hold?.mode;
  }

  get waiting(): LockMode | undefined {
    return this.#wait?.mode;
  }

  /** Whether this process holds the lock in `mode` and nobody replaced the lock file under it. */
  holds(mode: LockMode): boolean {
    return this.#hold?.mode === mode && this.#hold.stillHeld();
  }

  stillHeld(): boolean {
    return this.#hold?.stillHeld() ?? false;
  }

  /**
   * Take the lock in `mode` now if no other process holds it, synchronously.
   * @throws the backend's errors (`LOCK_IO` with `EMFILE` when the process is out of descriptors).
   */
  tryNow(mode: LockMode): boolean {
    this.cancelWait();
    this.release();
    const grant = syncTry(this.base, this.file, mode);
    if (grant) this.#set(grantHold(grant, mode));
    return grant !== undefined;
  }

  /**
   * Take the lock from every holder of every process (exclusive), synchronously; `false` when other
   * processes kept locking the new file first. Holders in this process are the caller's to rob.
   * @throws {LockIOError} when the lock file cannot be replaced.
   */
  steal(): boolean {
    this.cancelWait();
    const old = this.#unset();
    let grant: BackendGrant | undefined;
    try {
      grant = stealLockFile(this.base, this.file);
    } finally {
      // After the replacement: the waiters of other processes, woken by the rename, find the new file taken.
      old?.release();
    }
    if (grant) this.#set(grantHold(grant, 'exclusive'));
    return grant !== undefined;
  }

  /** Wait for the lock in `mode`; `onReady` when it is held (or the wait failed: `onError`). */
  wait(mode: LockMode, onReady: () => void, onError: (error: unknown) => void): void {
    if (this.#wait?.mode === mode) return;
    this.cancelWait();
    const controller = new AbortController();
    const current = { mode, controller };
    this.#wait = current;
    const wanted = () => this.#wait === current;
    // A steal replaces the lock file: a wait asleep on the old file (in the kernel's queue) would wait for
    // a holder that now excludes nobody. Seeing the path name another file, abort the wait: it starts again
    // on the new file.
    const stopWatching = watchViaFolder(this.file, () => {
      const now = fileAt(this.file);
      if (now && (!waitingOn || now.dev !== waitingOn.dev || now.ino !== waitingOn.ino)) {
        controller.abort(REPLACED);
      }
    });
    const waitingOn = fileAt(this.file);
    lock(this.file, {
      lockfilePath: this.file,
      shared: mode === 'shared',
      signal: controller.signal,
      backend: this.waitBackend,
    }).then(
      async (handle) => {
        stopWatching();
        let hold: Hold;
        try {
          // A waiter woken by a steal's rename may lock the new file before the stealer: wait for the
          // steal to finish, then check that the file is still the lock file.
          await stealsDone(this.base, this.file);
          const aborted = handle.signal.aborted;
          hold = handleHold(handle, aborted ? undefined : fileAt(this.file));
        } catch (error) {
          void handle.release().catch(() => {});
          if (!wanted()) return;
          this.#wait = undefined;
          onError(error);
          return;
        }
        if (!wanted() || !hold.stillHeld()) {
          hold.release();
          if (wanted()) {
            this.#wait = undefined;
            this.wait(mode, onReady, onError);
          }
          return;
        }
        this.#wait = undefined;
        this.release();
        this.#set(hold);
        onReady();
      },
      (error: unknown) => {
        stopWatching();
        if (!wanted()) return;
        this.#wait = undefined;
        if (error === REPLACED) this.wait(mode, onReady, onError);
        else onError(error);
      },
    );
  }

  cancelWait(): void {
    const wait = this.#wait;
    this.#wait = undefined;
    wait?.controller.abort(CANCELLED);
  }

  /** Let go of the kernel lock (if held). */
  release(): void {
    this.#unset()?.release();
  }

  #set(hold: Hold): void {
    this.#hold = hold;
    // The watch only tells holders early that another process stole the name (exclusion is the kernel's,
    // and a holder that ends is checked then): it starts after the callbacks' first turn, so that a short
    // request does not pay for setting one up, and checks at once when it starts.
    const start = setImmediate(() => {
      if (this.#hold !== hold) return;
      const stop = hold.watchLoss(() =>
        queueMicrotask(() => {
          if (this.#hold !== hold) return;
          this.release();
          this.onLost();
        }),
      );
      this.#stopWatch = stop;
    });
    this.#stopWatch = () => clearImmediate(start);
  }

  #unset(): Hold | undefined {
    const hold = this.#hold;
    this.#stopWatch?.();
    this.#stopWatch = undefined;
    this.#hold = undefined;
    return hold;
  }
}
