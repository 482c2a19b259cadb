import { LockInvalidArgumentError } from '../../../errors.js';
import type { HolderRecord } from '../../../holder.js';
import type { Backend, BackendGrant, BackendStatus, LockMode } from '../backend.js';
import { watchViaFolder } from '../folder-watch.js';
import type { LeaseBackend, LeaseOptions } from './lease-backend.js';

// The lease backend, loaded on its first use: a process that only takes kernel locks never loads the lease
// code (nor node:crypto and node:fs/promises with it). The wrapper answers its first call with a promise,
// every later one as the lease backend itself does; `leaseBackend()` still checks its options at once.

const MIN_LEASE = 100;
const MAX_LEASE = 2 ** 31 - 1;

let module: Promise<typeof import('./lease-backend.js')> | undefined;
const load = () => {
  module ??= import('./lease-backend.js');
  return module;
};

/** Refuse what the lease backend's constructor refuses, synchronously (the same messages). */
function checkOptions(options: LeaseOptions): void {
  const lease = options.lease ?? 10_000;
  if (typeof lease !== 'number' || !Number.isFinite(lease) || lease < MIN_LEASE || lease > MAX_LEASE) {
    throw new LockInvalidArgumentError(
      `lease must be a number of milliseconds from ${MIN_LEASE} to ${MAX_LEASE}, not ${String(lease)}`,
    );
  }
  const protocol = options.protocol ?? 'locksmith';
  if (protocol !== 'locksmith' && protocol !== 'proper-lockfile') {
    throw new LockInvalidArgumentError('protocol must be "locksmith" or "proper-lockfile"');
  }
}

/** A lease backend that loads lease-backend.ts when first asked for a lock or a status. */
function lazyLease(options: LeaseOptions | undefined, shared: boolean): Backend {
  if (options !== undefined) checkOptions(options);
  let real: LeaseBackend | undefined;
  const get = async (): Promise<LeaseBackend> => {
    const lease = await load();
    real ??= shared ? lease.defaultLeaseBackend() : new lease.LeaseBackend(options);
    return real;
  };
  return {
    name: 'lease',
    supportsShared: false,
    reason: undefined,
    tryAcquire(key: string, mode: LockMode, holder: HolderRecord) {
      if (real) return real.tryAcquire(key, mode, holder);
      return get().then((backend): BackendGrant | undefined => backend.tryAcquire(key, mode, holder));
    },
    inspect(key: string): BackendStatus | Promise<BackendStatus> {
      if (real) return real.inspect(key);
      return get().then((backend) => backend.inspect(key));
    },
    watch: (key: string, onChange: () => void) => watchViaFolder(key, onChange),
  };
}

let defaultLease: Backend | undefined;

/** The default lease backend (`backend: 'lease'`), created once, loaded on first use. */
export function defaultLazyLeaseBackend(): Backend {
  defaultLease ??= lazyLease(undefined, true);
  return defaultLease;
}

/**
 * A lease backend with its own lease time or on-disk protocol, to pass as `backend`.
 *
 * @throws {LockInvalidArgumentError} `LOCK_INVALID_ARGUMENT` for a lease under 100 ms or an unknown protocol.
 * @example
 * // Exclude tools that use proper-lockfile on the same file.
 * const backend = leaseBackend({ protocol: 'proper-lockfile' });
 * await withLock('package.json', update, { backend });
 */
export function leaseBackend(options?: LeaseOptions): Backend {
  return lazyLease(options ?? {}, false);
}
