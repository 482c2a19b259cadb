// Two managers on one folder in one process exclude each other like two processes: each has its own
// queue (the spec's), and a steal by one reaches the other through the lock file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { threadId } from 'node:worker_threads';
import { createLockManager } from '../../src/index.js';
import { waitFor } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';
import { gate, outcome } from '../helpers/web-locks.js';

const CLIENT = `node-${process.pid}-${threadId}`;

describe('Web Locks: two managers on one folder', { timeout: 30_000 }, () => {
  const root = tempDir('locksmith-web-locks-two-');

  it('two managers on one folder exclude each other, like two processes', async () => {
    const dir = path.join(root, 'shared-folder');
    const one = createLockManager({ dir });
    const two = createLockManager({ dir });
    const g = gate();
    const held = one.request('both', () => g.promise);
    await waitFor(async () => (await one.query()).held.length === 1, 5_000, 'held by one');
    assert.equal(await two.request('both', { ifAvailable: true }, (lock) => lock), null);
    const snapshot = await two.query();
    assert.deepEqual(snapshot.held, [{ name: 'both', mode: 'exclusive', clientId: CLIENT }]);
    const waiting = two.request('both', () => 'two');
    g.open();
    await held;
    assert.equal(await waiting, 'two');
    // A steal by one manager robs the other's holder, which learns it from its lock file.
    const h = gate();
    const robbed = outcome(two.request('both', () => h.promise));
    await waitFor(async () => (await one.query()).held.length === 1, 5_000, 'held by two');
    assert.equal(await one.request('both', { steal: true }, () => 'stolen'), 'stolen');
    // The robbed holder learns it from a folder watch, which does not keep the event loop alive by itself.
    let settled = false;
    void robbed.then(() => {
      settled = true;
    });
    await waitFor(() => settled, 5_000, 'the robbed holder to be told');
    const result = await robbed;
    assert.ok('error' in result);
    assert.equal((result.error as Error).name, 'AbortError');
    h.open();
  });

  for (const race of [false, true]) {
    it(`a waiter whose holder is robbed by another manager waits for the thief${race ? ' (holder ends at once)' : ''}`, async () => {
      const dir = path.join(root, `robbed-${race}`);
      const victim = createLockManager({ dir });
      const thief = createLockManager({ dir });
      const holderGate = gate();
      const holder = outcome(victim.request('r', () => holderGate.promise));
      let waiterRan = false;
      const waiter = victim.request('r', () => {
        waiterRan = true;
        return 'waiter';
      });
      await waitFor(async () => (await victim.query()).pending.length === 1, 5_000, 'the waiter to wait');
      const thiefGate = gate();
      const stolen = thief.request('r', { steal: true }, () => thiefGate.promise);
      // With race, the robbed holder ends before its process has seen the lock file replaced: the core
      // hands its lock (on the old file) to the waiter without a system call; the hand-off must not count.
      if (race) holderGate.open();
      let told = false;
      void holder.then(() => {
        told = true;
      });
      await waitFor(() => told, 5_000, 'the holder to be told');
      assert.equal(((await holder) as { error: Error }).error.name, 'AbortError');
      holderGate.open();
      await waitFor(
        async () => {
          const { held, pending } = await victim.query();
          return held.length === 1 && pending.length === 1;
        },
        5_000,
        'the thief to hold it and the waiter to wait',
      );
      assert.equal(waiterRan, false, 'the waiter ran while the thief held the lock');
      thiefGate.open();
      await stolen;
      assert.equal(await waiter, 'waiter');
    });
  }

  it('a shared request joining robbed shared holders before their process heard of the steal waits', async () => {
    const dir = path.join(root, 'robbed-shared');
    const victim = createLockManager({ dir });
    const thief = createLockManager({ dir });
    const readers = gate();
    const first = outcome(victim.request('s', { mode: 'shared' }, () => readers.promise));
    await waitFor(async () => (await victim.query()).held.length === 1, 5_000, 'a reader');
    const thiefGate = gate();
    const stolen = thief.request('s', { steal: true }, () => thiefGate.promise);
    // In the same tick: the victim's process cannot have seen the lock file replaced yet.
    let joinerRan = false;
    const joiner = victim.request('s', { mode: 'shared' }, () => {
      joinerRan = true;
    });
    let told = false;
    void first.then(() => {
      told = true;
    });
    await waitFor(() => told, 5_000, 'the first reader to be told');
    await waitFor(async () => (await victim.query()).pending.length === 1, 5_000, 'the joiner to wait');
    assert.equal(joinerRan, false, 'a reader ran while the thief held the lock');
    thiefGate.open();
    await stolen;
    await joiner;
    assert.equal(joinerRan, true);
    readers.open();
  });
});
