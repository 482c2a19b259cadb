// Each waiter behind the queue's head sleeps on the process of the waiter before it (issue 19 item 3,
// src/lock/backends/kernel/wait/predecessor.ts): killed, that waiter's successor looks again at once
// instead of at its next check (IDLE_CHECK_MS, 2 s), and a pid that may have been reused is not trusted.
// Real child processes, under Wine.
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { IDLE_CHECK_MS, watchPredecessor } from '../../src/lock/backends/kernel/wait/index.js';
import { windowsQueueFolder } from '../../src/lock/backends/kernel/windows/queue-folder.js';
import { createWindowsLock } from '../../src/lock/backends/kernel/windows.js';
import { tempDir, until, type Worker, worker } from './helpers.js';

const base = tempDir('locksmith-win-pred-');
let n = 0;
const native = createWindowsLock();

/** A new file to lock, in a folder of its own; `foreign`: its lock file made here, so no holder records. */
function fresh(foreign = false): string {
  const file = path.join(base, `case-${++n}`, 'file.txt');
  mkdirSync(path.dirname(file));
  // An empty lock file that locksmith did not make may be someone's data: its holders write no record.
  if (foreign) writeFileSync(`${file}.lock`, '');
  return file;
}

function queueOf(file: string): string {
  const { dev, ino } = statSync(`${file}.lock`, { bigint: true });
  return path.join(windowsQueueFolder(), `${dev}-${ino}`);
}

function tickets(file: string): string[] {
  try {
    return readdirSync(queueOf(file)).filter((name) => !name.startsWith('.'));
  } catch {
    return [];
  }
}

/**
 * Hold `file`'s lock as a foreign tool does (Python's filelock): LockFileEx, no record, no wake-ups. Returns
 * the release (safe to call twice).
 */
function holdForeign(file: string): () => void {
  const fd = openSync(`${file}.lock`, 'r+');
  assert.equal(native.tryLock(fd, 'exclusive'), 'held');
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    native.unlock(fd);
    closeSync(fd);
  };
}

/** A worker waiting for `file`, once its ticket is in the queue (the `count`th) and it has looked. */
async function waiter(file: string, count: number): Promise<Worker> {
  const w = await worker();
  w.send({ type: 'lock', path: file });
  await until(() => tickets(file).length === count, 20_000, `waiter ${count} to take a ticket`);
  // A round trip: the worker answers once its first look at the queue (synchronous) is over.
  w.send({ type: 'tryLock', path: path.join(base, 'elsewhere.txt') });
  await w.next('tried');
  return w;
}

/** A ticket name as enterQueue makes them: the monotonic clock's reading, the pid, a counter. */
const ticketName = (stamp: bigint, pid: number) => `${stamp.toString().padStart(20, '0')}-${pid}-0`;

describe('waiters sleep on the process of the waiter before them', { timeout: 240_000 }, () => {
  it('killed with a foreign holder, the next waiter is the head at once', { timeout: 90_000 }, async (t) => {
    const file = fresh(true);
    const release = holdForeign(file);
    try {
      const first = await waiter(file, 1);
      const second = await waiter(file, 2);
      // Right after the second waiter's look: its next check would come IDLE_CHECK_MS from now.
      const killed = performance.now();
      first.process.kill();
      release(); // a foreign release wakes nobody: the second waiter must find out it is the head
      await second.next('locked', 30_000);
      const took = performance.now() - killed;
      t.diagnostic(`granted ${took.toFixed(0)} ms after the kill`);
      assert.ok(took < IDLE_CHECK_MS / 2, `granted ${took.toFixed(0)} ms after its predecessor was killed`);
      second.send({ type: 'release' });
      await second.next('released');
    } finally {
      release();
    }
  });

  it('a holder of ours and the head killed together: the next waiter takes the lock at once', {
    timeout: 90_000,
  }, async (t) => {
    const file = fresh();
    const holder = await worker();
    holder.send({ type: 'lock', path: file });
    await holder.next('locked');
    const first = await waiter(file, 1);
    const second = await waiter(file, 2);
    const killed = performance.now();
    first.process.kill(); // the head first, so that it cannot take the lock the holder leaves
    holder.process.kill();
    await second.next('locked', 30_000);
    const took = performance.now() - killed;
    t.diagnostic(`granted ${took.toFixed(0)} ms after the kills`);
    assert.ok(took < IDLE_CHECK_MS / 2, `granted ${took.toFixed(0)} ms after its predecessor was killed`);
    assert.deepEqual(tickets(file), []);
  });

  it('watches a waiter that stamped its ticket after it started, until it ends', {
    timeout: 60_000,
  }, async () => {
    const w = await worker();
    let exited = 0;
    const cancel = watchPredecessor(ticketName(process.hrtime.bigint(), w.pid), native, () => exited++);
    assert.equal(typeof cancel, 'function', 'a live process that started before the stamp is watched');
    w.send({ type: 'tryLock', path: path.join(base, 'elsewhere.txt') });
    await w.next('tried');
    assert.equal(exited, 0, 'not while it lives');
    w.process.kill();
    await until(() => exited === 1, 10_000, 'the watch to fire');
    cancel?.();
    assert.equal(exited, 1);
  });

  it('does not trust a pid whose process started after the ticket was stamped', {
    timeout: 60_000,
  }, async () => {
    const stamp = process.hrtime.bigint();
    const w = await worker(); // as if it had the pid of a waiter gone before it started
    assert.equal(
      watchPredecessor(ticketName(stamp, w.pid), native, () => {}),
      undefined,
    );
    assert.equal(
      watchPredecessor('not-a-ticket', native, () => {}),
      undefined,
    );
    w.send({ type: 'exit' });
  });

  it('behind a ticket whose pid was reused, a waiter keeps checking and is not stranded', {
    timeout: 90_000,
  }, async (t) => {
    const file = fresh(true);
    const release = holdForeign(file);
    const stamp = process.hrtime.bigint();
    const later = await worker(); // alive, and started after the ticket below was "stamped"
    const folder = queueOf(file);
    mkdirSync(folder, { recursive: true });
    const planted = openSync(path.join(folder, ticketName(stamp, later.pid)), 'w');
    let plantedOpen = true;
    try {
      assert.equal(native.tryLock(planted, 'exclusive'), 'held', 'the planted ticket looks alive');
      const w = await waiter(file, 2);
      release();
      // The planted ticket's waiter "dies"; its pid's process lives on. Trusting it, the waiter would sleep
      // until that process ends; not trusting it, it finds out at its next check.
      native.unlock(planted);
      closeSync(planted);
      plantedOpen = false;
      const died = performance.now();
      await w.next('locked', 30_000);
      const took = performance.now() - died;
      t.diagnostic(`granted ${took.toFixed(0)} ms after the planted ticket died`);
      assert.ok(took < IDLE_CHECK_MS * 3, `granted ${took.toFixed(0)} ms after the planted ticket died`);
      assert.equal(later.process.exitCode, null, 'the process behind the reused pid still runs');
    } finally {
      if (plantedOpen) closeSync(planted);
      release();
    }
  });
});
