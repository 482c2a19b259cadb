import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { watchLockFile } from '../../../src/lock/backends/file-watch.js';
import { tempDir } from '../../helpers/tmp.js';

/** Resolves on the listener's next call (rejects after 10 s). */
function counter() {
  let calls = 0;
  let wake: (() => void) | undefined;
  return {
    listener: () => {
      calls++;
      wake?.();
    },
    get calls() {
      return calls;
    },
    next: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no event within 10 s')), 10_000);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      }),
  };
}

describe('lock file watch (wake-ups for waiters)', { timeout: 30_000 }, () => {
  const dir = tempDir();

  it('wakes on changes to the lock file, not on other files of its folder', async () => {
    const file = path.join(dir, 'a.lock');
    writeFileSync(file, '');
    const seen = counter();
    const stop = watchLockFile(file, seen.listener);
    try {
      const event = seen.next();
      writeFileSync(path.join(dir, 'a.json'), 'data next to the lock'); // must not wake
      writeFileSync(file, 'holder');
      await event;
      assert.equal(seen.calls, 1);
    } finally {
      stop();
    }
  });

  it('follows the path when the lock file is removed and created again', async () => {
    const file = path.join(dir, 'b.lock');
    writeFileSync(file, '');
    const seen = counter();
    const stop = watchLockFile(file, seen.listener);
    try {
      let event = seen.next();
      // Replaced by rename, as some tools do: the old inode is gone from the path.
      writeFileSync(`${file}.new`, '');
      renameSync(`${file}.new`, file);
      await event;
      event = seen.next();
      writeFileSync(file, 'the new file changes');
      await event;
    } finally {
      stop();
    }
  });

  it('watches a missing lock file through its folder until it appears', async () => {
    const file = path.join(dir, 'c.lock');
    rmSync(file, { force: true });
    const seen = counter();
    const stop = watchLockFile(file, seen.listener);
    try {
      let event = seen.next();
      writeFileSync(file, '');
      await event;
      event = seen.next();
      writeFileSync(file, 'holder');
      await event;
    } finally {
      stop();
    }
  });
});
