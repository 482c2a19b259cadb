import { lock } from '../../src/index.js';
import { kernelWaitsAvailable } from '../../src/lock/backends/kernel-wait.js';
import { kernelBackend } from '../../src/lock/backends/select.js';
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
    // Load the FFI binding (koffi, libc, the wait threads' signal handler) before the clock starts, as
    // the native anchors load theirs in open() (require('fs-ext')); the library loads it at the first lock
    // call, 10-17 ms here. The wait thread is not started: a process starts it at its first wait.
    kernelBackend();
    kernelWaitsAvailable();
    return {
      async acquire() {
        const handle = await lock(target, { backend: 'kernel' });
        return () => handle.release();
      },
    };
  },
};
