import type { Backend } from './backend.js';

/**
 * A new backend object that forwards every member to `base`. The core keeps one in-process queue per
 * backend object and lock file, so an alias is a queue of its own on the same locks (Web Locks
 * generations), or the same backend labelled with why it was chosen (`'auto'`). Forwarding every member
 * here, once, keeps an alias from silently dropping one (a wait's options, `queues`).
 *
 * `reason` replaces the base's.
 */
export function aliasBackend(base: Backend, change: { reason?: string | undefined } = {}): Backend {
  return {
    name: base.name,
    supportsShared: base.supportsShared,
    reason: 'reason' in change ? change.reason : base.reason,
    get queues() {
      return base.queues;
    },
    tryAcquire: (...args) => base.tryAcquire(...args),
    inspect: (key) => base.inspect(key),
    ...(base.watch ? { watch: (key: string, onChange: () => void) => base.watch!(key, onChange) } : {}),
    ...(base.keyFor
      ? { keyFor: (name: string, lockfilePath: string | undefined) => base.keyFor!(name, lockfilePath) }
      : {}),
  };
}
