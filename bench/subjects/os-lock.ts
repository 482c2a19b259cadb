import fs from 'node:fs';
import { anchor, anchorVersion, type NodeSubject, probeAnchor } from './subject.js';

interface OsLock {
  lock(fd: number, options: { exclusive: boolean }): Promise<void>;
  unlock(fd: number): Promise<void>;
}

/** os-lock: a blocking fcntl(2) lock on libuv's threadpool; `exclusive: true` (its default is shared). */
export const osLock: NodeSubject = {
  kind: 'node',
  id: 'os-lock',
  label: 'os-lock',
  mechanism: "blocking fcntl(2) on libuv's threadpool",
  version: () => anchorVersion('os-lock'),
  probe: () => probeAnchor('os-lock'),
  open(target) {
    const lib = anchor<OsLock>('os-lock');
    const lockPath = `${target}.lock`;
    return {
      async acquire() {
        const fd = fs.openSync(lockPath, 'a');
        await lib.lock(fd, { exclusive: true });
        return async () => {
          await lib.unlock(fd);
          fs.closeSync(fd);
        };
      },
    };
  },
};
