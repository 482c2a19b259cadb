import type { HolderInfo } from '../holder.js';
import type { LockMode } from './backends/backend.js';
import { type LockOptions, resolveLock } from './options.js';

/** What `inspect` tells about a lock. */
export interface LockStatus {
  locked: boolean;
  /** The holder, when locked and the holder recorded itself (other tools may record nothing). */
  holder?: HolderInfo;
  /** The mode it is held in, when the backend can tell. */
  mode?: LockMode;
  lockfilePath: string;
  /** The backend that was asked (`'kernel'`, `'lease'`, ...). */
  backend: string;
  /** Why that backend was chosen, when chosen automatically. */
  reason?: string;
}

/**
 * Tell whether `path` is locked, and by whom, without waiting and without keeping any lock.
 * The kernel backend probes with a non-blocking attempt of its own, so for an instant the probe may make
 * another process's `tryLock` find the lock busy.
 *
 * @throws {LockInvalidArgumentError} `LOCK_INVALID_ARGUMENT` for a bad path.
 * @example
 * const status = await inspect('runtime/tasks.json');
 * if (status.locked) console.log(`held by pid ${status.holder?.pid}`);
 */
export async function inspect(
  path: string,
  options?: Pick<LockOptions, 'lockfilePath' | 'backend'>,
): Promise<LockStatus> {
  const request = resolveLock(path, options);
  const status = await request.backend.inspect(request.lockfilePath);
  const result: LockStatus = {
    locked: status.locked,
    lockfilePath: request.lockfilePath,
    backend: request.backend.name,
  };
  if (status.holder) result.holder = status.holder;
  if (status.mode) result.mode = status.mode;
  if (request.backend.reason) result.reason = request.backend.reason;
  return result;
}
