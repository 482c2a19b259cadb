import { monotonicMs } from '../clock.js';
import type { HolderInfo } from '../holder.js';
import type { Backend, BackendGrant, LockMode } from './backends/backend.js';

/** What a task gets when its turn comes. */
export type Turn =
  /** The lock is already held by this process in a compatible way: share it (shared) or take it over (handoff). */
  | { kind: 'joined' }
  /** Nobody in this process holds it: go and take it from the backend, then call `granted` or `failed`. */
  | { kind: 'acquire' };

interface Ticket {
  mode: LockMode;
  resolve: (turn: Turn) => void;
}

/**
 * How long (ms) the tasks of one process may pass a lock to each other without giving it back to the
 * backend, from the first such hand-off of a grant: past it, the next task takes it from the backend
 * again, where waiters of other processes get their turn (the kernel backend's wait queue). Without a
 * bound, a process whose tasks keep coming would never let another process in. The cost is one release
 * and one attempt per period (~20 µs with the kernel backend, ~0.3 ms with the lease backend's files). A
 * backend may set its own (`Backend.handoffMs`: the PostgreSQL backend's round trips take longer).
 */
export const LOCAL_HANDOFF_MS = 10;

/**
 * The in-process side of one lock file: a FIFO of this process's tasks, so that they hand the lock to each
 * other without touching the disk, share a reader lock, and never race each other at the backend (which
 * would also be wrong for backends whose locks re-enter within one session, such as PostgreSQL's).
 */
export class LocalLock {
  state: 'idle' | 'acquiring' | 'held' | 'releasing' = 'idle';
  mode: LockMode = 'exclusive';
  holders = 0;
  grant: BackendGrant | undefined;
  /**
   * When this grant was first handed from one task to another (monotonicMs(), read only then); hand-offs
   * stop `LOCAL_HANDOFF_MS` (or the backend's `handoffMs`) later.
   */
  firstHandoff: number | undefined;
  holder: HolderInfo | undefined;
  readonly queue: Ticket[] = [];
  readonly #lossListeners = new Set<(reason: Error) => void>();
  #stopLossWatch: (() => void) | undefined;
  #lost: Error | undefined;

  constructor(
    readonly backend: Backend,
    readonly key: string,
    private readonly onIdle: () => void,
  ) {}

  /** A turn at once when possible, else `undefined` and the caller queues with `wait`. */
  tryEnter(mode: LockMode): Turn | undefined {
    if (this.queue.length > 0) return undefined; // FIFO: nobody overtakes a waiting task
    if (this.state === 'idle') {
      this.state = 'acquiring';
      this.mode = mode;
      return { kind: 'acquire' };
    }
    if (this.state === 'held' && mode === 'shared' && this.mode === 'shared' && !this.#lost) {
      this.holders++;
      return { kind: 'joined' };
    }
    return undefined;
  }

  /** Queue for a turn. The returned `cancel` removes the ticket if its turn has not come yet. */
  wait(mode: LockMode): { turn: Promise<Turn>; cancel: () => boolean } {
    let ticket!: Ticket;
    const turn = new Promise<Turn>((resolve) => {
      ticket = { mode, resolve };
    });
    this.queue.push(ticket);
    const cancel = () => {
      const index = this.queue.indexOf(ticket);
      if (index < 0) return false;
      this.queue.splice(index, 1);
      // A cancelled exclusive ticket may have been what kept later readers out.
      this.#admitReaders();
      return true;
    };
    return { turn, cancel };
  }

  /** The acquiring task got the lock from the backend. */
  granted(grant: BackendGrant, holder: HolderInfo): void {
    this.state = 'held';
    this.grant = grant;
    this.firstHandoff = undefined;
    this.holder = holder;
    this.holders = 1;
    this.#lost = undefined;
    this.#admitReaders();
  }

  /** The acquiring task gave up (timeout, abort, error): the next task tries. */
  failed(): void {
    this.state = 'idle';
    this.#dispatch();
  }

  /**
   * A holder leaves. Returns the grant when the backend lock must be released now (by the caller, who then
   * calls `released`), or `undefined` when other local holders remain or the lock was handed off.
   */
  leave(): BackendGrant | undefined {
    this.holders--;
    if (this.holders > 0) return undefined;
    const next = this.queue[0];
    if (
      next &&
      next.mode === 'exclusive' &&
      this.mode === 'exclusive' &&
      !this.#lost &&
      this.grant?.stillHeld?.() !== false &&
      this.#handoffAllowed()
    ) {
      // Hand the kernel lock straight to the next task of this process: no syscall, no wake-up.
      this.queue.shift();
      this.holders = 1;
      next.resolve({ kind: 'joined' });
      return undefined;
    }
    const grant = this.grant;
    this.grant = undefined;
    this.holder = undefined;
    this.state = 'releasing';
    this.#stopLossWatch?.();
    this.#stopLossWatch = undefined;
    return grant;
  }

  /** Whether this grant may still pass from task to task (`LOCAL_HANDOFF_MS` from its first hand-off). */
  #handoffAllowed(): boolean {
    const now = monotonicMs();
    this.firstHandoff ??= now;
    return now - this.firstHandoff < (this.backend.handoffMs ?? LOCAL_HANDOFF_MS);
  }

  /** The backend lock was released: the next task acquires. */
  released(): void {
    this.state = 'idle';
    this.#dispatch();
  }

  /** Listen for the loss of the current grant; the backend is watched only while someone listens. */
  onLoss(listener: (reason: Error) => void): () => void {
    if (this.#lost) {
      listener(this.#lost);
      return () => {};
    }
    this.#lossListeners.add(listener);
    if (!this.#stopLossWatch && this.grant) {
      this.#stopLossWatch = this.grant.watchLoss((reason) => {
        this.#lost = reason;
        for (const fn of [...this.#lossListeners]) fn(reason);
      });
    }
    return () => {
      this.#lossListeners.delete(listener);
      if (this.#lossListeners.size === 0) {
        this.#stopLossWatch?.();
        this.#stopLossWatch = undefined;
      }
    };
  }

  #admitReaders(): void {
    if (this.state !== 'held' || this.mode !== 'shared' || this.#lost) return;
    while (this.queue[0]?.mode === 'shared') {
      const ticket = this.queue.shift()!;
      this.holders++;
      ticket.resolve({ kind: 'joined' });
    }
  }

  #dispatch(): void {
    const next = this.queue.shift();
    if (!next) {
      this.onIdle();
      return;
    }
    this.state = 'acquiring';
    this.mode = next.mode;
    next.resolve({ kind: 'acquire' });
  }
}

const tables = new WeakMap<Backend, Map<string, LocalLock>>();

/** The in-process state of `key` on `backend`, created on first use and dropped when idle. */
export function localLock(backend: Backend, key: string): LocalLock {
  let table = tables.get(backend);
  if (!table) {
    table = new Map();
    tables.set(backend, table);
  }
  let local = table.get(key);
  if (!local) {
    const owner = table;
    local = new LocalLock(backend, key, () => {
      if (owner.get(key) === local && local?.queue.length === 0) owner.delete(key);
    });
    table.set(key, local);
  }
  return local;
}
