// A Windows waiter sleeps on its predecessor's process (src/lock/backends/kernel/wait/predecessor.ts):
// what it asks the OS to watch, checked here with a NativeLock that records the request (the watch itself
// is tested under Wine, test/windows/predecessor.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NativeLock } from '../../../../../src/lock/backends/kernel/native-lock.js';
import { createPosixLock } from '../../../../../src/lock/backends/kernel/posix.js';
import { TRUST_MARGIN_MS, watchPredecessor } from '../../../../../src/lock/backends/kernel/wait/index.js';

const ticketName = (stamp: bigint, pid: number) => `${stamp.toString().padStart(20, '0')}-${pid}-7`;

describe('watching the waiter before', { timeout: 10_000 }, () => {
  it('asks for the pid the ticket names, created before the ticket was stamped, less a margin', () => {
    const asked: { pid: number; createdBeforeMs: number }[] = [];
    const cancel = () => {};
    const native: NativeLock = {
      ...createPosixLock(),
      watchProcessExit(pid, createdBeforeMs) {
        asked.push({ pid, createdBeforeMs });
        return cancel;
      },
    };
    const ageMs = 5_000;
    const stamp = process.hrtime.bigint() - BigInt(ageMs * 1e6);
    const expected = Date.now() - ageMs - TRUST_MARGIN_MS;
    assert.equal(
      watchPredecessor(ticketName(stamp, 4242), native, () => {}),
      cancel,
    );
    assert.equal(asked.length, 1);
    assert.equal(asked[0]?.pid, 4242);
    assert.ok(
      Math.abs((asked[0]?.createdBeforeMs ?? 0) - expected) < 50,
      `created before ${asked[0]?.createdBeforeMs}, expected about ${expected}`,
    );
    assert.equal(
      watchPredecessor('not-a-ticket', native, () => {}),
      undefined,
    );
    assert.equal(asked.length, 1, 'a name that does not say is not watched');
  });

  it('where the OS has no such watch (Linux), nothing is watched: waiters check', () => {
    const native = createPosixLock();
    assert.equal(native.watchProcessExit, undefined);
    assert.equal(
      watchPredecessor(ticketName(process.hrtime.bigint(), 1), native, () => {}),
      undefined,
    );
  });
});
