import fs from 'node:fs';
import { promisify } from 'node:util';
import { anchor, anchorVersion, type NodeSubject, probeAnchor } from './subject.js';

interface FsExt {
  flock(fd: number, flags: string, callback: (error: Error | null) => void): void;
  flockSync(fd: number, flags: string): void;
}

/**
 * fs-ext: a blocking flock(2) run on libuv's threadpool, a separate descriptor per acquisition.
 * Released with the synchronous `flockSync(fd, 'un')` (non-blocking) and a close, so releases do not
 * queue behind blocked flocks on the threadpool.
 */
export const fsExt: NodeSubject = {
  kind: 'node',
  id: 'fs-ext',
  label: 'fs-ext',
  mechanism: "blocking flock(2) on libuv's threadpool",
  version: () => anchorVersion('fs-ext'),
  probe: () => probeAnchor('fs-ext'),
  open(target) {
    const lib = anchor<FsExt>('fs-ext');
    const flock = promisify(lib.flock);
    const lockPath = `${target}.lock`;
    return {
      async acquire() {
        const fd = fs.openSync(lockPath, 'a');
        await flock(fd, 'ex');
        return () => {
          lib.flockSync(fd, 'un');
          fs.closeSync(fd);
        };
      },
    };
  },
};
