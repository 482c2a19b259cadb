// The lock contract on Windows' kernel backend (LockFileEx through koffi), with real child processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect, LockTimeoutError, lock, lockAll, tryLock } from '../../src/index.js';
import { loadedKoffiSource } from '../../src/lock/backends/kernel/ffi.js';
import { tempDir, worker } from './helpers.js';

const base = tempDir('locksmith-win-lock-');
let n = 0;
const fresh = (name = 'file.txt') => path.join(base, `case-${++n}`, name);

describe('the kernel backend on Windows (LockFileEx)', { timeout: 240_000 }, () => {
  it('picks the kernel backend and names this process as the holder', { timeout: 30_000 }, async () => {
    const file = fresh();
    const handle = await lock(file, { timeout: 5_000 });
    const status = await inspect(file);
    assert.equal(status.backend, 'kernel');
    assert.equal(status.holder?.pid, process.pid);
    await handle.release();
    assert.equal((await inspect(file)).locked, false);
  });

  it("binds LockFileEx through koffi's prebuilt win32 module, loaded directly (not koffi's loader)", {
    timeout: 30_000,
  }, async () => {
    await (await lock(fresh(), { timeout: 5_000 })).release();
    assert.equal(loadedKoffiSource(), 'native');
  });

  it('excludes other processes: 3 processes × 20 increments lose no update', {
    timeout: 180_000,
  }, async () => {
    const file = fresh('counter.txt');
    const first = await lock(file, { timeout: 5_000 }); // creates the folder and the lock file
    writeFileSync(file, '0');
    await first.release();
    const workers = await Promise.all([worker(), worker(), worker()]);
    for (const w of workers) w.send({ type: 'increment', path: file, times: 20 });
    await Promise.all(workers.map((w) => w.next('done', 170_000)));
    assert.equal(readFileSync(file, 'utf8'), '60');
  });

  it('a timeout names the holder (pid and command)', { timeout: 60_000 }, async () => {
    const file = fresh();
    const w = await worker();
    w.send({ type: 'lock', path: file });
    await w.next('locked');
    assert.equal(await tryLock(file), undefined);
    await assert.rejects(lock(file, { timeout: 300 }), (error: unknown) => {
      assert.ok(error instanceof LockTimeoutError);
      assert.equal(error.code, 'LOCK_TIMEOUT');
      assert.match(error.message, new RegExp(`held by pid ${w.pid} \\(.*worker\\.js`));
      return true;
    });
    w.send({ type: 'release' });
    await w.next('released');
    const handle = await lock(file, { timeout: 10_000 });
    await handle.release();
  });

  it('an abort ends a wait with the signal reason, and leaves nothing behind', {
    timeout: 60_000,
  }, async () => {
    const file = fresh();
    const w = await worker();
    w.send({ type: 'lock', path: file });
    await w.next('locked');
    const controller = new AbortController();
    const reason = new Error('user gave up');
    const waiting = lock(file, { timeout: 30_000, signal: controller.signal });
    setTimeout(() => controller.abort(reason), 200);
    await assert.rejects(waiting, (error) => error === reason);
    w.send({ type: 'release' });
    await w.next('released');
    const handle = await tryLock(file);
    assert.ok(handle, 'the lock is free once its holder released it');
    await handle.release();
  });

  it('shared locks share with each other and exclude an exclusive one', { timeout: 60_000 }, async () => {
    const file = fresh();
    const w = await worker();
    w.send({ type: 'lock', path: file, shared: true });
    await w.next('locked');
    const reader = await tryLock(file, { shared: true });
    assert.ok(reader, 'a second shared lock is granted');
    const status = await inspect(file);
    assert.equal(status.locked, true);
    assert.equal(status.mode, 'shared');
    await reader.release();
    assert.equal(await tryLock(file), undefined, 'exclusive refused while a shared holder holds');
    w.send({ type: 'release' });
    await w.next('released');
    const writer = await tryLock(file);
    assert.ok(writer);
    await writer.release();
  });

  it('lockAll is all-or-nothing across processes', { timeout: 60_000 }, async () => {
    const a = fresh('a.txt');
    const b = path.join(path.dirname(a), 'b.txt');
    const w = await worker();
    w.send({ type: 'lock', path: b });
    await w.next('locked');
    await assert.rejects(lockAll([a, b], { timeout: 0 }), (error: unknown) => {
      assert.ok(error instanceof LockTimeoutError);
      assert.match(error.message, /b\.txt/);
      return true;
    });
    assert.equal((await inspect(a)).locked, false, 'a was not left locked');
    const waiting = lockAll([a, b], { timeout: 30_000 });
    w.send({ type: 'release' });
    const group = await waiting;
    const other = await worker();
    other.send({ type: 'lockAll', paths: [b, a] });
    await assert.rejects(other.next('locked', 500), /within 500 ms/);
    await group.release();
    await other.next('locked');
  });

  for (const how of ['process.kill', 'taskkill /F'] as const) {
    it(`a holder killed with ${how} releases at once`, { timeout: 60_000 }, async (t) => {
      const file = fresh();
      const w = await worker();
      w.send({ type: 'lock', path: file });
      await w.next('locked');
      let waitedAt = 0;
      let exitedAt = 0;
      void w.exited.then(() => {
        exitedAt = performance.now();
      });
      const waiting = lock(file, {
        timeout: 30_000,
        onWait: () => {
          waitedAt = performance.now();
          if (how === 'process.kill') w.process.kill();
          else spawn('taskkill', ['/F', '/PID', String(w.pid)], { stdio: 'ignore' });
        },
      });
      const handle = await waiting;
      const grantedAt = performance.now();
      await w.exited;
      assert.ok(waitedAt > 0, 'the wait started while the child held the lock');
      // taskkill.exe itself takes a while to start under Wine: the figure that matters is after the exit.
      t.diagnostic(
        `granted ${(grantedAt - waitedAt).toFixed(0)} ms after the kill began, ${(grantedAt - exitedAt).toFixed(0)} ms after the parent saw the exit`,
      );
      await handle.release();
    });
  }
});
