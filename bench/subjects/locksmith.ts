import { lock } from '../../src/index.js';
import { kernelBackend } from '../../src/lock/backends/select.js';
import type { NodeSubject } from './subject.js';

/** locksmith's kernel backend: non-blocking flock(2) through koffi; waits sleep in a FIFO wait queue of ticket files. */
export const locksmith: NodeSubject = {
  kind: 'node',
  id: 'locksmith',
  label: 'locksmith (kernel)',
  mechanism:
    'non-blocking flock(2) via FFI; a wait sleeps in a FIFO queue (a flock-held ticket file, fs.watch); 2 ms turns',
  version: () => undefined,
  probe: async () => undefined,
  open(target) {
    // Load the FFI binding (koffi, libc) before the clock starts, as the native anchors load theirs in
    // open() (require('fs-ext')); the library loads it at the first lock call, 10-17 ms here.
    kernelBackend();
    return {
      async acquire() {
        const handle = await lock(target, { backend: 'kernel' });
        return () => handle.release();
      },
    };
  },
};
