import { promisify } from 'node:util';
import { anchor, anchorVersion, type NodeSubject, probeAnchor } from './subject.js';

type Callback = (error: Error | null) => void;
interface Lockfile {
  lock(path: string, options: object, callback: Callback): void;
  unlock(path: string, callback: Callback): void;
}

/** npm's lockfile: an O_EXCL file, polled every 100 ms (its default) while `wait` lasts; no `stale`. */
export const lockfile: NodeSubject = {
  kind: 'node',
  id: 'lockfile',
  label: 'lockfile',
  mechanism: 'O_EXCL file, polls every 100 ms',
  version: () => anchorVersion('lockfile'),
  probe: () => probeAnchor('lockfile'),
  open(target) {
    const lib = anchor<Lockfile>('lockfile');
    const lockPath = `${target}.lock`;
    const lock = promisify(lib.lock) as (path: string, options: object) => Promise<void>;
    const unlock = promisify(lib.unlock) as (path: string) => Promise<void>;
    return {
      async acquire() {
        // It mutates the options it is given, so a fresh object per call.
        await lock(lockPath, { wait: 3_600_000, pollPeriod: 100 });
        return () => unlock(lockPath);
      },
    };
  },
};
