import type { Backend } from '../lock/backends/backend.js';
import { type ClientEntry, clientId, type Registry } from './client-registry.js';
import { KernelLock } from './kernel-lock.js';
import { createLock, type Lock } from './lock.js';
import type { ParsedRequest, WebLockMode } from './options.js';

/** One call of `request()`: the spec's "lock request", then its "lock" once granted. */
export interface Request {
  readonly seq: number;
  readonly name: string;
  readonly mode: WebLockMode;
  /** A steal that could not take the lock from other processes waits like any request (`'wait'`). */
  kind: 'wait' | 'ifAvailable' | 'steal';
  readonly signal: AbortSignal | undefined;
  readonly callback: ParsedRequest<unknown>['callback'];
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  state: 'pending' | 'held' | 'stolen' | 'done';
  /** performance.timeOrigin + now, when requested, then when granted: comparable across processes. */
  since: number;
  /** Stops listening to `signal` (once the request left the queue). */
  unlisten?: (() => void) | undefined;
}

/** What a name's queue needs from its manager. */
export interface QueueContext {
  readonly base: Backend;
  readonly waitBackend: Backend;
  readonly registry: Registry;
  /** The queue has nothing left to do (no request, no lock held or awaited): the manager may drop it. */
  idle(queue: NameQueue): void;
}

export function now(): number {
  return performance.timeOrigin + performance.now();
}

function stolenError(name: string): DOMException {
  return new DOMException(
    `The lock "${name}" was stolen: its lock file was replaced (by a request with steal: true) or removed`,
    'AbortError',
  );
}

/**
 * The spec's "lock request queue" of one name in one manager, with the part of its "held lock set" that
 * has this name, run as the spec's algorithms "request a lock", "process the lock request queue",
 * "release the lock" and steal: requests are decided in call order, synchronously, and a request at the
 * head of the queue is granted when it is grantable here (the spec's rule) and this process holds, or can
 * take at once, the name's kernel lock in its mode (`KernelLock`). When another process holds it, the head
 * waits for the kernel lock, and the requests behind it wait in the queue, in order.
 */
export class NameQueue {
  readonly queue: Request[] = [];
  readonly held = new Set<Request>();
  readonly kernel: KernelLock;

  constructor(
    readonly name: string,
    file: string,
    private readonly context: QueueContext,
  ) {
    this.kernel = new KernelLock(file, context.base, context.waitBackend, () => {
      this.#rob();
      this.#process();
    });
  }

  /** The spec's "request a lock", from the point where the request is made. */
  add(request: Request): void {
    if (request.kind === 'steal') {
      this.#rob();
      this.queue.unshift(request);
    } else if (request.kind === 'ifAvailable') {
      let grantable: boolean;
      try {
        grantable = this.queue.length === 0 && this.#grantable(request);
      } catch (error) {
        this.#finish(request);
        request.reject(error);
        return;
      }
      if (!grantable) {
        this.#finish(request);
        this.#callBack(request, null, request.resolve, request.reject);
        this.#process(); // a kernel lock taken for nothing is let go
        return;
      }
      this.queue.push(request);
    } else {
      this.queue.push(request);
    }
    const signal = request.signal;
    if (signal) {
      const onAbort = () => this.#abort(request);
      signal.addEventListener('abort', onAbort, { once: true });
      request.unlisten = () => signal.removeEventListener('abort', onAbort);
    }
    this.#process();
    if (request.state === 'pending') this.context.registry.pending(request.seq, request, request.since);
  }

  /** This manager's requests of this name, as `query()` reports them. */
  entries(): ClientEntry[] {
    const entry = (r: Request, state: 'held' | 'pending'): ClientEntry => ({
      name: r.name,
      mode: r.mode,
      clientId: clientId(),
      state,
      since: r.since,
      seq: r.seq,
    });
    return [...[...this.held].map((r) => entry(r, 'held')), ...this.queue.map((r) => entry(r, 'pending'))];
  }

  /** The spec's "signal to abort the request": only a request still in the queue is affected. */
  #abort(request: Request): void {
    const index = this.queue.indexOf(request);
    if (index < 0) return;
    this.queue.splice(index, 1);
    this.#finish(request);
    request.reject(request.signal?.reason);
    this.#process();
  }

  /**
   * Whether the head of the queue can be granted now: the spec's "grantable" (no conflicting lock held
   * here), and this process holds the kernel lock in the request's mode, or takes it now. May take the
   * kernel lock (or steal it) as a side effect; throws what taking it throws.
   */
  #grantable(request: Request): boolean {
    if (request.mode === 'exclusive' ? this.held.size > 0 : this.#exclusiveHeld()) return false;
    if (this.held.size > 0) {
      if (this.kernel.stillHeld()) return true; // a shared request joins the shared holders
      // Robbed by another process whose steal we have not heard of yet: the holders lose it now.
      this.kernel.release();
      this.#rob();
    }
    if (this.kernel.holds(request.mode)) return true; // handed on without a system call
    if (request.kind === 'steal') {
      if (this.kernel.steal()) return true;
      request.kind = 'wait'; // other processes kept taking the new file: wait for it like anyone
      return false;
    }
    return this.kernel.tryNow(request.mode);
  }

  #exclusiveHeld(): boolean {
    for (const r of this.held) if (r.mode === 'exclusive') return true;
    return false;
  }

  /** The spec's "process the lock request queue": grant from the head while the head is grantable. */
  #process(): void {
    for (;;) {
      const head = this.queue[0];
      if (!head) break;
      let grantable: boolean;
      try {
        grantable = this.#grantable(head);
      } catch (error) {
        this.queue.shift();
        this.#finish(head);
        head.reject(error);
        continue;
      }
      if (!grantable) {
        if (this.held.size === 0) this.#waitForKernel(head.mode);
        return;
      }
      this.queue.shift();
      this.#grant(head);
    }
    this.kernel.cancelWait();
    if (this.held.size === 0) {
      this.kernel.release();
      this.context.idle(this);
    }
  }

  #waitForKernel(mode: WebLockMode): void {
    this.kernel.wait(
      mode,
      () => this.#process(),
      (error) => {
        // The head's wait failed (out of descriptors, the folder gone): the head fails with it.
        const head = this.queue.shift();
        if (head) {
          this.#finish(head);
          head.reject(error);
        }
        this.#process();
      },
    );
  }

  #grant(request: Request): void {
    request.unlisten?.();
    request.state = 'held';
    request.since = now();
    this.held.add(request);
    try {
      this.context.registry.held(request.seq, request, request.since);
    } catch (error) {
      // Registry not writable: the request fails, with its lock released (documented).
      this.held.delete(request);
      this.#finish(request);
      request.reject(error);
      return;
    }
    this.#callBack(
      request,
      createLock(request.name, request.mode),
      (value) => this.#release(request, { value }),
      (error) => this.#release(request, { error }),
    );
  }

  /** The callback's promise settled: the spec's "release the lock", then the request settles like it. */
  #release(request: Request, outcome: { value: unknown } | { error: unknown }): void {
    // Robbed by another process (or manager) whose steal this process has not heard of yet: tell the holders now.
    if (request.state === 'held' && !this.kernel.stillHeld()) {
      this.kernel.release();
      this.#rob();
    }
    const stolen = request.state === 'stolen';
    this.held.delete(request);
    this.#finish(request);
    this.#process();
    // A stolen request was rejected when it was robbed; its callback's outcome has nowhere to go.
    if (stolen) return;
    if ('error' in outcome) request.reject(outcome.error);
    else request.resolve(outcome.value);
  }

  /** Every holder of the name here loses it (a steal): its promise rejects with an `AbortError`. */
  #rob(): void {
    for (const r of this.held) {
      r.state = 'stolen';
      this.context.registry.gone(r.seq);
      r.reject(stolenError(r.name));
    }
    this.held.clear();
  }

  /** Invoke the callback (never synchronously within `request`), and pass on how its promise settles. */
  #callBack(
    request: Request,
    lock: Lock | null,
    onValue: (value: unknown) => unknown,
    onError: (error: unknown) => unknown,
  ): void {
    Promise.resolve()
      .then(() => request.callback(lock))
      .then(onValue, onError);
  }

  #finish(request: Request): void {
    request.unlisten?.();
    if (request.state !== 'stolen') request.state = 'done';
    this.context.registry.gone(request.seq);
  }
}
