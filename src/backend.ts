/**
 * `locksmith/backend`: the contract between the lock core and a lock backend, for writing a backend of
 * your own. **Experimental**: it may change in a minor version, unlike the root export (`locksmith`),
 * which is the user API. A backend tries once (`tryAcquire`), or waits in a queue of its own for as long as
 * the core says (`TryOptions.wait`); waiting, timeouts, cancellation and in-process queues are the core's.
 * See docs/architecture.md.
 *
 * @experimental
 * @packageDocumentation
 */
export type { HolderInfo, HolderRecord } from './holder.js';
export type { Backend, BackendGrant, BackendStatus, LockMode, TryOptions } from './lock/backends/backend.js';
