import { watchViaFolder } from '../lock/backends/folder-watch.js';
import { lockedError } from './errors.js';
import { sleepSync } from './kernel-guard.js';
import { attempt, type Held } from './lock-folder.js';
import type { LockfileFs } from './options.js';
import { RetryCursor, type RetrySchedule } from './retry-schedule.js';

/** Another drop-in process's attempt holds the guard for microseconds: look again this often... */
const GUARD_STEP_MS = 1;
/** ...this many times before counting the lock as busy (a guard holder stopped mid-attempt). */
const GUARD_TRIES = 50;
/**
 * While waiting, look again this often besides the folder's changes: a crashed drop-in holder's flock
 * drops without any change on disk, and this bounds how long a waiter takes to notice.
 */
export const PROBE_MS = 100;

/** One attempt, sync, waiting out another process's guard (sync API: no retries, as proper-lockfile). */
export function acquireSync(lockPath: string, stale: number, fsx: LockfileFs, file: string): Held {
  for (let i = 0; ; i++) {
    const result = attempt(lockPath, stale, fsx, file);
    if (result.kind === 'held') return result.held;
    if (result.kind === 'busy') throw result.error;
    if (i >= GUARD_TRIES) throw lockedError(file, 'another process kept its parent folder guarded');
    sleepSync(GUARD_STEP_MS);
  }
}

function pause(ms: number, unref: boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (unref) timer.unref();
  });
}

async function attemptAsync(
  lockPath: string,
  stale: number,
  fsx: LockfileFs,
  unref: boolean,
  file: string,
): Promise<Held> {
  for (let i = 0; ; i++) {
    const result = attempt(lockPath, stale, fsx, file);
    if (result.kind === 'held') return result.held;
    if (result.kind === 'busy') throw result.error;
    if (i >= GUARD_TRIES) throw lockedError(file, 'another process kept its parent folder guarded');
    await pause(GUARD_STEP_MS, unref);
  }
}

/** The retry package's `mainError`: the most frequent message, the latest on a tie. */
function mainError(errors: unknown[]): unknown {
  const counts = new Map<string, number>();
  let main: unknown;
  let most = 0;
  for (const error of errors) {
    const message = (error as Error)?.message ?? String(error);
    const count = (counts.get(message) ?? 0) + 1;
    counts.set(message, count);
    if (count >= most) {
      main = error;
      most = count;
    }
  }
  return main;
}

/**
 * proper-lockfile's retried acquisition, with waits that end early: the retry schedule says when the
 * waiter gives up (after the same attempts and delays as proper-lockfile), but within each delay the
 * waiter also tries again as soon as the lock folder changes (its release) and every PROBE_MS (a crashed
 * drop-in holder). As with the retry package, every error is retried, and the most frequent one is thrown.
 */
export async function acquire(
  lockPath: string,
  stale: number,
  fsx: LockfileFs,
  schedule: RetrySchedule,
  file: string,
): Promise<Held> {
  const errors: unknown[] = [];
  const cursor = new RetryCursor(schedule);
  try {
    return await attemptAsync(lockPath, stale, fsx, schedule.unref, file);
  } catch (error) {
    errors.push(error);
  }
  let wake: (() => void) | undefined;
  let changed = false;
  const stopWatch = watchViaFolder(lockPath, () => {
    changed = true;
    wake?.();
  });
  try {
    for (;;) {
      const delay = cursor.next();
      if (delay === undefined) throw mainError(errors);
      const deadline = Date.now() + delay;
      for (;;) {
        const left = deadline - Date.now();
        if (left > 0 && !changed) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            const timer = setTimeout(resolve, Math.min(left, PROBE_MS));
            if (schedule.unref) timer.unref();
          });
          wake = undefined;
        }
        const scheduled = Date.now() >= deadline;
        changed = false;
        try {
          return await attemptAsync(lockPath, stale, fsx, schedule.unref, file);
        } catch (error) {
          // Only the scheduled attempts count, as proper-lockfile's would; the extra looks are free.
          if (scheduled) {
            errors.push(error);
            break;
          }
        }
      }
    }
  } finally {
    stopWatch();
  }
}
