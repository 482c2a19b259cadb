import { onExit } from './exit-hook.js';
import { type Held, release } from './lock-folder.js';
import type { LockfileFs } from './options.js';

/** One lock this process holds (proper-lockfile's `locks[file]` entry). */
export interface HeldLock {
  readonly file: string;
  readonly held: Held;
  readonly fs: LockfileFs;
  released: boolean;
  /** Stops the heartbeat and the watch. */
  stop(): void;
}

interface Registry {
  locks: Map<string, HeldLock>;
  exitHook: boolean;
}

/**
 * Locks held by this process, keyed by resolved file. Kept on `globalThis` so that the ESM and the
 * CommonJS builds loaded in one process share it: `unlock` through `require` finds a lock taken through
 * `import`, and the exit hook removes each folder once.
 */
const KEY = Symbol.for('locksmith.proper-lockfile.locks');
const registry: Registry = ((globalThis as Record<symbol, unknown>)[KEY] as Registry | undefined) ?? {
  locks: new Map(),
  exitHook: false,
};
(globalThis as Record<symbol, unknown>)[KEY] = registry;

export function heldLock(file: string): HeldLock | undefined {
  return registry.locks.get(file);
}

export function addHeldLock(lock: HeldLock): void {
  registry.locks.set(lock.file, lock);
  if (!registry.exitHook) {
    registry.exitHook = true;
    // As proper-lockfile does (with signal-exit): remove our folders when the process exits or is killed by
    // a catchable signal. (SIGKILL leaves them; other drop-in processes see the free flock at once.)
    onExit(() => {
      for (const lock of registry.locks.values()) {
        try {
          release(lock.held, lock.fs);
        } catch {
          // exiting anyway
        }
      }
      registry.locks.clear();
    });
  }
}

/** Forget `lock` (released or compromised) if it is still the entry for its file. */
export function removeHeldLock(lock: HeldLock): void {
  if (registry.locks.get(lock.file) === lock) registry.locks.delete(lock.file);
}
