// Windows waits sleep in the wait queue (issue 19 item 3): a waiter holds a ticket (a file held with
// LockFileEx in %TEMP%\locksmith-queues) and sleeps on an fs.watch of it, woken by the holder's release;
// the queue's head notices a holder that died. Real child processes, under Wine in CI.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect, LockTimeoutError, lock, tryLock } from '../../src/index.js';
import { queueWaitsAvailable } from '../../src/lock/backends/kernel/wait/index.js';
import { windowsQueueFolder } from '../../src/lock/backends/kernel/windows/queue-folder.js';
import { tempDir, until, type Worker, worker } from './helpers.js';

const base = tempDir('locksmith-win-wait-');
let n = 0;
const fresh = (name = 'file.txt') => path.join(base, `case-${++n}`, name);

/** The tickets in the wait queue of `file`'s lock file (`file.lock`, which must exist). */
function tickets(file: string): string[] {
  const { dev, ino } = statSync(`${file}.lock`, { bigint: true });
  try {
    return readdirSync(path.join(windowsQueueFolder(), `${dev}-${ino}`)).filter(
      (name) => !name.startsWith('.'),
    );
  } catch {
    return [];
  }
}

/** A worker holding `file`. */
async function holder(file: string, shared = false): Promise<Worker> {
  const w = await worker();
  w.send({ type: 'lock', path: file, shared });
  await w.next('locked');
  return w;
}

/** Whether another process can take `file` now (it takes and releases it at once). */
async function freeForOthers(file: string): Promise<boolean> {
  const w = await worker();
  w.send({ type: 'tryLock', path: file });
  const { got } = await w.next('tried');
  w.send({ type: 'exit' });
  return got === true;
}

describe('Windows waits sleep in the wait queue', { timeout: 300_000 }, () => {
  it('waits use the queue here (LOCKSMITH_WAIT=poll is the fallback)', { timeout: 10_000 }, () => {
    assert.equal(process.env.LOCKSMITH_WAIT ?? 'queue', 'queue', 'run the suite without LOCKSMITH_WAIT=poll');
    assert.equal(queueWaitsAvailable(), true);
  });

  it('a waiter sleeps on a ticket and is woken by the release', { timeout: 60_000 }, async () => {
    const file = fresh();
    const w = await holder(file);
    const waiting = lock(file, { timeout: 30_000 });
    await until(() => tickets(file).length === 1, 10_000, 'the waiter to take a ticket');
    w.send({ type: 'release' });
    const handle = await waiting;
    assert.deepEqual(tickets(file), [], 'the ticket is gone once granted');
    assert.equal((await inspect(file)).holder?.pid, process.pid);
    await handle.release();
  });

  it('a waiter is granted when its holder is killed', { timeout: 60_000 }, async () => {
    const file = fresh();
    const w = await holder(file);
    const waiting = lock(file, { timeout: 30_000 });
    await until(() => tickets(file).length === 1, 10_000, 'the waiter to take a ticket');
    w.process.kill();
    const handle = await waiting;
    assert.deepEqual(tickets(file), []);
    await handle.release();
  });

  it('a timeout leaves no ticket and nothing held', { timeout: 60_000 }, async () => {
    const file = fresh();
    const w = await holder(file);
    await assert.rejects(lock(file, { timeout: 500 }), (error: unknown) => error instanceof LockTimeoutError);
    assert.deepEqual(tickets(file), []);
    w.send({ type: 'release' });
    await w.next('released');
    assert.equal(await freeForOthers(file), true, 'the lock is free for another process');
  });

  it('an abort, even one racing the release, leaves no ticket and nothing held', {
    timeout: 180_000,
  }, async () => {
    const file = fresh();
    let granted = 0;
    let aborted = 0;
    for (const delay of [-1, 0, 2, 5, 10, 20]) {
      const w = await holder(file);
      const controller = new AbortController();
      const reason = new Error('gave up');
      const waiting = lock(file, { timeout: 30_000, signal: controller.signal });
      await until(() => tickets(file).length === 1, 10_000, 'the waiter to take a ticket');
      if (delay < 0) controller.abort(reason); // before the release: must be aborted
      w.send({ type: 'release' });
      if (delay >= 0) setTimeout(() => controller.abort(reason), delay);
      try {
        const handle = await waiting;
        granted++;
        await handle.release();
      } catch (error) {
        assert.equal(error, reason);
        aborted++;
      }
      await w.next('released');
      assert.deepEqual(tickets(file), [], `no ticket left (abort ${delay} ms after the release)`);
      assert.equal(await freeForOthers(file), true, `nothing held (abort ${delay} ms after the release)`);
    }
    assert.ok(aborted >= 1, 'the abort before the release was an abort');
    assert.equal(granted + aborted, 6);
  });

  it('shared waiters are granted together', { timeout: 120_000 }, async () => {
    const file = fresh();
    const w = await holder(file);
    const readers = await Promise.all([worker(), worker()]);
    for (const r of readers) r.send({ type: 'lock', path: file, shared: true });
    await until(() => tickets(file).length === 2, 20_000, 'both readers to take a ticket');
    w.send({ type: 'release' });
    await Promise.all(readers.map((r) => r.next('locked')));
    const status = await inspect(file);
    assert.equal(status.mode, 'shared');
    assert.equal(await tryLock(file), undefined, 'exclusive refused while both read');
    for (const r of readers) r.send({ type: 'release' });
    await Promise.all(readers.map((r) => r.next('released')));
  });

  it('8 processes × 8 increments through the queue lose no update', { timeout: 280_000 }, async () => {
    const file = fresh('counter.txt');
    mkdirSync(path.dirname(file));
    writeFileSync(file, '0');
    const workers = await Promise.all(Array.from({ length: 8 }, () => worker()));
    for (const w of workers) w.send({ type: 'increment', path: file, times: 8 });
    await Promise.all(workers.map((w) => w.next('done', 270_000)));
    assert.equal(readFileSync(file, 'utf8'), '64');
    assert.deepEqual(tickets(file), []);
  });
});
