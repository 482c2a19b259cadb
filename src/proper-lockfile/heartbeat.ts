import type nodeFs from 'node:fs';
import { watchViaFolder } from '../lock/backends/folder-watch.js';
import { compromisedError } from './errors.js';
import type { Held } from './lock-folder.js';
import type { LockfileFs } from './options.js';

export interface HeartbeatOptions {
  readonly file: string;
  readonly held: Held;
  readonly fs: LockfileFs;
  readonly stale: number;
  readonly update: number;
  /** Called once, when the lock is lost; the heartbeat has stopped by then. */
  readonly onLost: (error: Error) => void;
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * proper-lockfile's `updateLock`: every `update` ms, check the folder is still ours (same mtime) and set
 * its mtime to now; a failure is retried after 1 s until `stale` has passed since the last good update,
 * and a folder that is gone or not ours is a loss. Added: a watch of the folder's parent, so that a
 * folder removed or replaced by someone else is reported at once rather than at the next update.
 * The timer is unref'd, as proper-lockfile's is. Returns the function that stops it all.
 */
export function startHeartbeat(options: HeartbeatOptions): () => void {
  const { held, fs: fsx, stale, file } = options;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastUpdate = Date.now();
  let stopWatch = () => {};

  const lose = (reason: string, cause?: unknown, deferred = false) => {
    if (stopped) return;
    stop();
    const error = compromisedError(file, reason, cause);
    // From a watch callback, report on a turn of its own: a throwing onCompromised (the default) must not
    // cut short the other listeners of the shared folder watch.
    if (deferred) setImmediate(() => options.onLost(error));
    else options.onLost(error);
  };

  const stat = (): nodeFs.Stats | string => {
    try {
      return fsx.statSync(held.lockPath);
    } catch (error) {
      if (code(error) === 'ENOENT') return 'its lock folder was removed by someone else';
      throw error;
    }
  };

  const beat = () => {
    timer = undefined;
    if (stopped) return;
    try {
      const found = stat();
      if (typeof found === 'string') return lose(found);
      if (found.ino !== held.ino || found.mtime.getTime() !== held.mtime) {
        return lose(
          `its lock folder ${held.lockPath} was replaced or touched by someone else (a process that found it stale after ${stale} ms without an update?)`,
        );
      }
      const now = new Date();
      fsx.utimesSync(held.lockPath, now, now);
      held.mtime = fsx.statSync(held.lockPath).mtime.getTime();
      lastUpdate = Date.now();
      schedule(options.update);
    } catch (error) {
      if (code(error) === 'ENOENT') return lose('its lock folder was removed by someone else', error);
      if (Date.now() - lastUpdate > stale) {
        return lose(`its lock folder could not be updated within the stale threshold (${stale} ms)`, error);
      }
      schedule(1_000);
    }
  };

  const schedule = (ms: number) => {
    timer = setTimeout(beat, ms);
    timer.unref();
  };

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    stopWatch();
  };

  schedule(options.update);
  // With our folder's inode pinned by its open descriptor, "another inode at the path" is a sure loss.
  if (held.fd !== undefined) {
    stopWatch = watchViaFolder(held.lockPath, () => {
      if (stopped) return;
      try {
        const found = stat();
        if (typeof found === 'string') lose(found, undefined, true);
        else if (found.ino !== held.ino) {
          lose(`its lock folder ${held.lockPath} was replaced by someone else`, undefined, true);
        }
      } catch {
        // the heartbeat decides on I/O failures
      }
    });
  }
  return stop;
}
