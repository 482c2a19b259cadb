import fs from 'node:fs';
import { anchor, anchorVersion, type NodeSubject, probeAnchor } from './subject.js';

interface FdLock {
  ready(): Promise<void>;
  close(): Promise<void>;
}
type FdLockClass = new (fd: number, options: { wait: boolean }) => FdLock;

/** fd-lock (Holepunch): a blocking OFD lock, on a thread created per waiter (fs-native-extensions). */
export const fdLock: NodeSubject = {
  kind: 'node',
  id: 'fd-lock',
  label: 'fd-lock',
  mechanism: 'blocking OFD fcntl(2) lock, one thread per waiter',
  version: () => anchorVersion('fd-lock'),
  probe: () => probeAnchor('fd-lock'),
  open(target) {
    const FDLock = anchor<FdLockClass>('fd-lock');
    const lockPath = `${target}.lock`;
    return {
      async acquire() {
        const lock = new FDLock(fs.openSync(lockPath, 'a'), { wait: true });
        await lock.ready();
        return () => lock.close();
      },
    };
  },
};
