// The wait queue's head sleeps on its holder's process handle instead of polling (issue 19 item 3,
// src/lock/backends/kernel/windows/holder-exit.ts): the watch fires when the holder is killed, and is
// refused (so the head polls) when the holder cannot be known for sure. Real child processes, under Wine.
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createWindowsLock } from '../../src/lock/backends/kernel/windows.js';
import { tempDir, until, type Worker, worker } from './helpers.js';

const base = tempDir('locksmith-win-exit-');
let n = 0;
const fresh = () => path.join(base, `case-${++n}`, 'file.txt');
const native = createWindowsLock();

/** A worker holding `file` (its lock file is `file.lock`, with the worker's holder record). */
async function holder(file: string): Promise<Worker> {
  const w = await worker();
  w.send({ type: 'lock', path: file });
  await w.next('locked');
  return w;
}

/** The holder record's line in the lock file (after byte 0, which LockFileEx locks). */
function recordLine(fd: number): string {
  const buffer = Buffer.alloc(4096);
  const length = readSync(fd, buffer, 0, buffer.length, native.recordOffset);
  const text = buffer.toString('utf8', 0, length);
  return text.slice(0, text.indexOf('\n') + 1);
}

describe('the queue head sleeps until its holder exits', { timeout: 120_000 }, () => {
  it('the watch fires when the holder is killed, not before', { timeout: 60_000 }, async () => {
    const file = fresh();
    const w = await holder(file);
    const fd = openSync(`${file}.lock`, 'r');
    try {
      let exited = 0;
      const cancel = native.watchHolderExit?.(fd, () => exited++);
      assert.equal(typeof cancel, 'function', 'a holder of ours on this host is watched');
      // The holder is alive: a message round trip later, the watch has not fired.
      w.send({ type: 'tryLock', path: path.join(base, 'elsewhere.txt') });
      await w.next('tried');
      assert.equal(exited, 0);
      w.process.kill();
      await until(() => exited === 1, 10_000, 'the watch to fire');
      cancel?.(); // after it fired: does nothing
      assert.equal(exited, 1);
    } finally {
      closeSync(fd);
    }
  });

  it('a cancelled watch does not fire', { timeout: 60_000 }, async () => {
    const file = fresh();
    const first = await holder(file);
    const fd = openSync(`${file}.lock`, 'r');
    try {
      let cancelledFired = 0;
      let otherFired = 0;
      const cancel = native.watchHolderExit?.(fd, () => cancelledFired++);
      assert.equal(typeof cancel, 'function');
      cancel?.();
      // A second watch of the same holder, left on: once it fired, the cancelled one would have too.
      const other = native.watchHolderExit?.(fd, () => otherFired++);
      assert.equal(typeof other, 'function');
      first.process.kill();
      await until(() => otherFired === 1, 10_000, 'the second watch to fire');
      assert.equal(cancelledFired, 0);
    } finally {
      closeSync(fd);
    }
  });

  it('a record whose pid may have been reused is not trusted', { timeout: 60_000 }, async () => {
    const file = fresh();
    const w = await holder(file);
    const fd = openSync(`${file}.lock`, 'r+');
    try {
      const line = recordLine(fd);
      const record = JSON.parse(line) as { since: string };
      assert.equal(typeof native.watchHolderExit?.(fd, () => {}), 'function');
      // The same pid, but the record says it took the lock before that process existed: another process.
      const before = JSON.stringify({ ...record, since: '2001-01-01T00:00:00.000Z' });
      assert.equal(before.length, line.length - 1, 'the record keeps its length');
      writeSync(fd, `${before}\n`, native.recordOffset);
      assert.equal(
        native.watchHolderExit?.(fd, () => {}),
        undefined,
      );
      w.send({ type: 'exit' });
    } finally {
      closeSync(fd);
    }
  });

  it('a lock file without a record (a foreign holder) is not watched', { timeout: 10_000 }, () => {
    const file = fresh();
    mkdirSync(path.dirname(file));
    writeFileSync(`${file}.lock`, '');
    const fd = openSync(`${file}.lock`, 'r');
    try {
      assert.equal(
        native.watchHolderExit?.(fd, () => {}),
        undefined,
      );
    } finally {
      closeSync(fd);
    }
  });
});
