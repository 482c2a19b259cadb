// Loose arguments are refused with typed errors, and timeouts past the longest Node timer are waited out
// (issue 18, rows 10 and 11).
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { lock, lockAll, tryLock } from '../../src/index.js';
import { killChildrenAfter, spawnChild } from '../helpers/children.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

killChildrenAfter();

const invalid = { code: 'LOCK_INVALID_ARGUMENT', name: 'LockInvalidArgumentError' };

describe('strict argument checks', { timeout: 60_000 }, () => {
  const dir = tempDir();
  const file = (name: string) => path.join(dir, name);

  it("lockAll('abc') is refused instead of locking a, b and c", async () => {
    await assert.rejects(lockAll('abc' as unknown as string[]), invalid);
    const handle = await tryLock(file('a'));
    assert.ok(handle, 'nothing was locked');
    await handle.release();
  });

  it('lockAll(null), lockAll(42), lockAll({}) and a bad entry are typed errors', async () => {
    for (const targets of [null, undefined, 42, {}, true]) {
      await assert.rejects(lockAll(targets as unknown as string[]), invalid, String(targets));
    }
    await assert.rejects(lockAll([file('x'), 7 as unknown as string]), invalid);
    await assert.rejects(lockAll([file('x')], 'fast' as never), invalid);
  });

  it("shared: 'yes', removeOnRelease: 1, onWait: 'x' and a string as options are refused", async () => {
    await assert.rejects(lock(file('s'), { shared: 'yes' as unknown as boolean }), invalid);
    await assert.rejects(tryLock(file('s'), { shared: 1 as unknown as boolean }), invalid);
    await assert.rejects(lockAll([{ path: file('s'), shared: 'no' as unknown as boolean }]), invalid);
    await assert.rejects(lock(file('s'), { removeOnRelease: 1 as unknown as boolean }), invalid);
    await assert.rejects(lock(file('s'), { onWait: 'x' as unknown as () => void }), invalid);
    await assert.rejects(lock(file('s'), 'fast' as never), invalid);
    const ok = await lock(file('s'), { shared: false, removeOnRelease: false });
    await ok.release();
  });

  it('locksmith run -w takes plain decimal seconds only (0x10, 1e3 and " 5" are usage errors)', async () => {
    for (const bad of ['0x10', '1e3', '0b1', ' 5', '-1', 'Infinity']) {
      const result = await runCli(['run', '-w', bad, file('cli'), '--', 'true'], { timeout: 60_000 });
      assert.equal(result.code, 64, `-w ${JSON.stringify(bad)}: ${result.stderr}`);
      assert.match(result.stderr, /expected a number of seconds/);
    }
    const good = await runCli(['run', '-w', '0.5', file('cli'), '--', 'true'], { timeout: 60_000 });
    assert.equal(good.code, 0, good.stderr);
  });
});

describe('timeouts past the longest timer (2^31-1 ms)', { timeout: 60_000 }, () => {
  const dir = tempDir();

  for (const holder of ['this process', 'another process'] as const) {
    it(`lock(p, { timeout: 3e9 }) held by ${holder}: waits, no TimeoutOverflowWarning, no early LOCK_TIMEOUT`, async () => {
      const target = path.join(dir, `long-${holder.length}`);
      let release: () => Promise<void>;
      if (holder === 'this process') {
        const handle = await lock(target);
        release = () => handle.release();
      } else {
        const child = spawnChild('lock-worker.ts');
        await child.next('ready', 60_000);
        child.send({ type: 'lock', path: target });
        await child.next('locked');
        release = async () => {
          child.send({ type: 'release' });
          await child.next('released');
        };
      }
      const warnings: string[] = [];
      const onWarning = (warning: Error) => warnings.push(warning.name);
      process.on('warning', onWarning);
      try {
        let settled: unknown = 'pending';
        const waiting = lock(target, { timeout: 3e9 }).then(
          (handle) => {
            settled = 'granted';
            return handle;
          },
          (error: { code?: string }) => {
            settled = error.code;
            throw error;
          },
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(settled, 'pending', 'still waiting after 300 ms');
        await release();
        const handle = await waiting;
        assert.equal(settled, 'granted');
        await handle.release();
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(warnings, [], 'no warning');
      } finally {
        process.off('warning', onWarning);
      }
    });
  }
});
