import { anchor, anchorVersion, type NodeSubject, probeAnchor } from './subject.js';

interface ProperLockfile {
  lock(file: string, options: object): Promise<() => Promise<void>>;
}

/** proper-lockfile, configured to wait (its default `retries: 0` fails at once with ELOCKED). */
export const properLockfile: NodeSubject = {
  kind: 'node',
  id: 'proper-lockfile',
  label: 'proper-lockfile',
  mechanism: 'mkdir + mtime heartbeat, retries 100 ms → 1 s',
  version: () => anchorVersion('proper-lockfile'),
  probe: () => probeAnchor('proper-lockfile'),
  open(target) {
    const lib = anchor<ProperLockfile>('proper-lockfile');
    const options = { retries: { forever: true, factor: 2, minTimeout: 100, maxTimeout: 1000 } };
    return {
      acquire: () => lib.lock(target, options),
    };
  },
};
