// The interop contract: locksmith and another program that takes flock(2) locks on the same lock file
// exclude each other in both directions. Run by util-linux-flock.test.ts and python.test.ts, once per peer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect, type LockHandle, lock, tryLock } from '../../src/index.js';
import { type Command, killChildrenAfter } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

/** Another program's way of taking a lock. Every command releases its lock and exits when stdin closes. */
export interface Peer {
  name: string;
  mode: 'exclusive' | 'shared';
  /** Take the lock (waiting if needed), print `held`, hold it until stdin closes. */
  hold(lockfile: string): Command;
  /** One non-blocking attempt: prints `acquired` (releasing at once) or `busy`, then exits 0. */
  attempt(lockfile: string): Command;
  /** One non-blocking attempt; when busy, prints `busy`, then waits for the lock and prints `acquired`. */
  waitFor(lockfile: string): Command;
  /** Whether this peer truncates the lock file when it opens it (Python's filelock 3.9 does). */
  truncates?: boolean;
}

async function outcome(command: Command): Promise<'acquired' | 'busy'> {
  const line = await command.line(/^(acquired|busy)$/);
  const { code } = await command.exited;
  assert.equal(code, 0, `the peer failed: ${command.stderr()}`);
  return line as 'acquired' | 'busy';
}

/** `unavailable`: why this peer cannot run here (the suite is skipped with that reason), or undefined. */
export function peerSuite(peer: Peer, unavailable: string | undefined): void {
  const conflicts = (mode: 'exclusive' | 'shared') => mode === 'exclusive' || peer.mode === 'exclusive';

  describe(`interop with ${peer.name}`, { timeout: 60_000, skip: unavailable ?? false }, () => {
    killChildrenAfter();
    const dir = unavailable ? '' : tempDir('locksmith-interop-');
    let n = 0;
    const fresh = () => path.join(dir, `file-${++n}.json`);

    it(`a lock held by ${peer.name} excludes locksmith, which gets it once the peer lets go`, async () => {
      const file = fresh();
      const holder = peer.hold(`${file}.lock`);
      await holder.line('held');

      const status = await inspect(file);
      assert.equal(status.locked, true);
      assert.equal(status.mode, peer.mode);
      if (process.platform === 'linux') {
        // The peer records nothing; the kernel's table of locks names its process, not the time.
        assert.equal(status.holder?.pid, holder.pid, "the kernel names the peer's process");
        assert.equal(status.holder?.mode, peer.mode);
        assert.equal(status.holder?.since, undefined, 'the peer recorded no time, and none may be invented');
      } else {
        assert.equal(status.holder, undefined, 'the peer records no holder, and none may be invented');
      }

      assert.equal(await tryLock(file), undefined, 'exclusive tryLock while the peer holds');
      const shared = await tryLock(file, { shared: true });
      assert.equal(shared === undefined, conflicts('shared'), 'shared tryLock while the peer holds');
      await shared?.release();
      await assert.rejects(
        lock(file, { timeout: 30 }),
        (error: Error & { code?: string; holder?: { pid: number } }) => {
          assert.equal(error.code, 'LOCK_TIMEOUT');
          if (process.platform === 'linux') {
            assert.equal(error.holder?.pid, holder.pid);
            assert.match(error.message, new RegExp(`held by pid ${holder.pid} \\(\\S+`));
            assert.doesNotMatch(error.message, / since /);
          }
          return true;
        },
      );

      let onWait = () => {};
      const waited = new Promise<'waited'>((resolve) => (onWait = () => resolve('waited')));
      const waiting = lock(file, { timeout: 20_000, onWait });
      const first = await Promise.race([waited, waiting.then(() => 'acquired' as const)]);
      assert.equal(first, 'waited', 'lock() has to wait while the peer holds');
      holder.end();
      const handle = await waiting;
      assert.equal((await holder.exited).code, 0);
      const mine = await inspect(file);
      assert.equal(mine.holder?.pid, process.pid, 'after the peer, the holder record is ours again');
      await handle.release();
    });

    for (const mode of ['exclusive', 'shared'] as const) {
      it(`${mode === 'exclusive' ? 'an' : 'a'} ${mode} locksmith lock excludes ${peer.name}${conflicts(mode) ? '' : ' only where modes conflict'}`, async () => {
        const file = fresh();
        const handle: LockHandle = await lock(file, { shared: mode === 'shared' });
        const expected = conflicts(mode) ? 'busy' : 'acquired';
        assert.equal(await outcome(peer.attempt(handle.lockfilePath)), expected);

        // The peer's blocking path: it finds the lock busy (when the modes conflict), then gets it when we let go.
        const waiter = peer.waitFor(handle.lockfilePath);
        assert.equal(await waiter.line(/^(acquired|busy)$/), expected);
        if (peer.truncates) {
          // The peer truncated the lock file (our holder record) while we hold it: the lock is intact.
          assert.equal(readFileSync(handle.lockfilePath, 'utf8'), '');
          assert.equal(
            handle.signal.aborted,
            false,
            'truncation by another tool does not compromise the lock',
          );
          assert.equal((await inspect(file)).locked, true);
        }
        await handle.release();
        if (expected === 'busy') await waiter.line('acquired');
        assert.equal((await waiter.exited).code, 0, waiter.stderr());

        assert.equal(await outcome(peer.attempt(handle.lockfilePath)), 'acquired', 'free after release');
        const again = await tryLock(file);
        assert.ok(again, 'locksmith can lock again after the peer used the file');
        await again.release();
      });
    }
  });
}
