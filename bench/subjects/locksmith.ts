import { lock } from '../../src/index.js';
import type { NodeSubject } from './subject.js';

/** locksmith's kernel backend: non-blocking flock(2) through koffi, a folder watch and a capped backoff. */
export const locksmith: NodeSubject = {
  kind: 'node',
  id: 'locksmith',
  label: 'locksmith (kernel)',
  mechanism: 'non-blocking flock(2) via FFI + wake-up + backoff ≤ 50 ms',
  version: () => undefined,
  probe: async () => undefined,
  open(target) {
    return {
      async acquire() {
        const handle = await lock(target, { backend: 'kernel' });
        return () => handle.release();
      },
    };
  },
};
