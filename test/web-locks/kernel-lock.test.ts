// KernelLock: a wait asleep on a lock file that a steal then replaces must start again on the new file.
// The old file can stay locked by a holder that never learns of the steal (a tool that locks the file
// without our protocol, or a process whose event loop is busy), so only the abort ends that wait.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLockManager } from '../../src/index.js';
import { lockFileName } from '../../src/web-locks/lock-names.js';
import { holdWithFlock, killChildrenAfter, waitFor } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

killChildrenAfter();

describe('Web Locks: a wait on a replaced lock file', { timeout: 30_000 }, () => {
  it("a request waiting behind a holder that keeps the old file locked is granted after a steal's callback", async () => {
    const dir = path.join(tempDir('locksmith-web-locks-kernel-lock-'), 'locks-folder');
    const waiterSide = createLockManager({ dir });
    const thiefSide = createLockManager({ dir });
    await waiterSide.request('warm-up', () => {}); // creates the folder and its locks/ subfolder
    // flock(1) holds the name's lock file and never lets go of that inode: the steal replaces the file.
    const holder = await holdWithFlock(path.join(dir, 'locks', lockFileName('z')));
    try {
      const waited = waiterSide.request('z', () => 'waited');
      await waitFor(
        async () => (await waiterSide.query()).pending.length === 1,
        10_000,
        'the request to wait',
      );
      assert.equal(await thiefSide.request('z', { steal: true }, () => 'stolen'), 'stolen');
      // The stealer has released the new file: the waiter must get it, though flock(1) still holds the old one.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<string>((resolve) => {
        timer = setTimeout(resolve, 10_000, 'still waiting 10 s after the steal');
      });
      assert.equal(await Promise.race([waited, deadline]), 'waited');
      clearTimeout(timer);
    } finally {
      holder.end();
    }
  });
});
