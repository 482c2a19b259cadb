import { lock } from '../../src/index.js';
import type { NodeSubject } from './subject.js';

/** locksmith's kernel backend: non-blocking flock(2) through koffi; waits retry 20 ms, then sleep in flock(2) on a thread of ours. */
export const locksmith: NodeSubject = {
  kind: 'node',
  id: 'locksmith',
  label: 'locksmith (kernel)',
  mechanism:
    'non-blocking flock(2) via FFI; a wait retries 20 ms, then sleeps in flock(2) on a worker thread',
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
