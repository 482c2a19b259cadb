import type { WebLockInfo, WebLockMode } from './options.js';

/** Passed by this module only: WebIDL interfaces without a constructor cannot be made by users. */
const INTERNAL = Symbol('locksmith web lock');

/**
 * What the callback of `request` holds: the spec's `Lock`, shaped as WebIDL (and Node's built-in) has it:
 * `name` and `mode` are read-only accessors of the prototype, `String(lock)` is `[object Lock]`, and
 * `new Lock()` throws a `TypeError` (locks come from `request` only).
 *
 * @throws {TypeError} when constructed by user code.
 * @example
 * await locks.request('job', (lock) => console.log(lock.name, lock.mode)); // job exclusive
 */
export class Lock implements WebLockInfo {
  readonly #name: string;
  readonly #mode: WebLockMode;

  /** @internal Not constructible by users (`TypeError: Illegal constructor`), as in WebIDL. */
  constructor(token: symbol, name: string, mode: WebLockMode) {
    if (token !== INTERNAL) throw new TypeError('Illegal constructor');
    this.#name = name;
    this.#mode = mode;
  }

  /** The name the lock was requested with. */
  get name(): string {
    return this.#name;
  }

  /** `'exclusive'` or `'shared'`. */
  get mode(): WebLockMode {
    return this.#mode;
  }
}

// WebIDL attributes are enumerable accessors; the class tag is a non-writable data property.
Object.defineProperties(Lock.prototype, {
  name: { enumerable: true },
  mode: { enumerable: true },
  [Symbol.toStringTag]: { value: 'Lock', writable: false, enumerable: false, configurable: true },
});

/** A `Lock` for a granted request. */
export function createLock(name: string, mode: WebLockMode): Lock {
  return new Lock(INTERNAL, name, mode);
}
