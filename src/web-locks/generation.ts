import fs from 'node:fs';
import { aliasBackend } from '../lock/backends/alias.js';
import type { Backend } from '../lock/backends/backend.js';
import type { LockHandle } from '../lock/lock.js';

/**
 * One generation of a name's lock inside one process: every request of the name queues in the core's
 * in-process FIFO of this generation (the core keeps one FIFO per backend object and lock file, so each
 * generation is a thin alias of the real backend). A steal starts a new generation: the stealer goes first
 * in the new FIFO and the pending requests follow in their order, while the robbed holders keep the old
 * one until their callbacks end. The core's FIFO has no "go first", and a pending request left in the old
 * FIFO could be handed the robbed holder's lock, on the replaced file, without any system call.
 */
export class Generation {
  readonly backend: Backend;
  /** Handles of this generation granted and not yet released. */
  live = 0;
  /** The lock file the current holders locked (dev, ino), to check a shared request joining them. */
  #session: { dev: bigint; ino: bigint } | undefined;

  constructor(base: Backend) {
    // Waits may sleep in the backend's queue like the core's own locks; the lock file can be stolen
    // (replaced) under its holder, which a sleeping wait must notice.
    this.backend = aliasBackend(base, { waitOptions: { replaceable: true } });
  }

  /**
   * Whether a handle just granted in this generation locks a file that is no longer the lock file (it was
   * stolen). The first holder learns it from the core: reading `handle.signal` starts a watch that compares
   * the locked inode with the path's at once. A shared request joining current holders shares their
   * watch, which has not necessarily seen the replacement yet, so it compares the path with what they locked.
   */
  /**
   * Whether the lock file is no longer the one this generation's current holders locked: a steal (or a
   * removal) that their process may not have heard of yet. Checked before a holder releases, so that a
   * holder robbed just before it ends is told (its watch may not have fired yet).
   */
  replaced(lockfilePath: string): boolean {
    const stat = fs.statSync(lockfilePath, { bigint: true, throwIfNoEntry: false });
    return !stat || !this.#session || stat.ino !== this.#session.ino || stat.dev !== this.#session.dev;
  }

  isStale(handle: LockHandle): boolean {
    if (handle.signal.aborted) return true;
    const stat = fs.statSync(handle.lockfilePath, { bigint: true, throwIfNoEntry: false });
    if (this.live === 0) {
      this.#session = stat && { dev: stat.dev, ino: stat.ino };
      return stat === undefined;
    }
    return this.replaced(handle.lockfilePath);
  }
}
