import { lock } from '../../src/proper-lockfile/index.js';
import type { NodeSubject } from './subject.js';

/**
 * locksmith/proper-lockfile, the drop-in, configured exactly as the proper-lockfile subject (same
 * options object): what a user gets by changing the import and nothing else.
 */
export const properLockfileDropIn: NodeSubject = {
  kind: 'node',
  id: 'proper-lockfile-drop-in',
  label: 'locksmith/proper-lockfile (drop-in)',
  mechanism: 'mkdir + mtime heartbeat + flock guard, waits end at release',
  version: () => undefined,
  probe: async () => undefined,
  open(target) {
    const options = { retries: { forever: true, factor: 2, minTimeout: 100, maxTimeout: 1000 } };
    return {
      acquire: () => lock(target, options),
    };
  },
};
