// The spec's steal and queue rules where the holders are in other processes (issue 21). What is ordered:
// the requests of one manager, exactly as the spec's queue orders them, including while they wait for
// another process. What is not: requests of different processes waiting for the same name (the first to
// get the kernel lock when it is released wins), and grants of different names (independent locks).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLockManager } from '../../src/index.js';
import { killChildrenAfter, waitFor } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';
import { gate, holdIn, twoWorkers } from '../helpers/web-locks.js';

killChildrenAfter();

describe('Web Locks across processes: steal and queue order', { timeout: 60_000 }, () => {
  const root = tempDir('locksmith-web-locks-spec-x-');
  const setUp = twoWorkers(root);

  it('a second steal (here) robs the first (another process), whose request rejects there with AbortError', async () => {
    const { dir, a, b } = await setUp();
    const locks = createLockManager({ dir });
    await holdIn(a, 'holder', 'x');
    await holdIn(b, 'thief1', 'x', { steal: true });
    const robbedA = await a.child.next<{ id: string; name: string }>('rejected');
    assert.deepEqual([robbedA.id, robbedA.name], ['holder', 'AbortError']);
    const order: string[] = [];
    const mine = locks.request('x', { steal: true }, () => {
      order.push('thief2');
      return 'mine';
    });
    const robbedB = await b.child.next<{ id: string; name: string }>('rejected');
    assert.deepEqual([robbedB.id, robbedB.name], ['thief1', 'AbortError']);
    assert.equal(await mine, 'mine');
    assert.deepEqual(order, ['thief2']);
    for (const [w, id] of [
      [a, 'holder'],
      [b, 'thief1'],
    ] as const) {
      w.send({ type: 'release', id });
      await w.child.next('finished');
    }
  });

  it("a request after another process's steal waits for the stealer's callback, not for the robbed one", async () => {
    const { dir, b } = await setUp();
    const locks = createLockManager({ dir });
    const robbed = gate();
    const victim = locks
      .request('y', () => robbed.promise)
      .then(
        () => 'resolved',
        (error: Error) => error.name,
      );
    await waitFor(async () => (await locks.query()).held.length === 1, 10_000, 'our hold');
    await holdIn(b, 'thief', 'y', { steal: true });
    assert.equal(await victim, 'AbortError');
    let granted = false;
    const after = locks.request('y', () => {
      granted = true;
      return 'after';
    });
    await waitFor(async () => (await locks.query()).pending.length === 1, 10_000, 'our request to wait');
    assert.equal(granted, false, 'granted while the stealer holds the lock');
    b.send({ type: 'release', id: 'thief' });
    assert.equal(
      await after,
      'after',
      'not granted once the stealer released, while the robbed callback runs',
    );
    robbed.open();
    await b.child.next('resolved');
  });

  it("the issue's ordering example while another process holds a: b first, then a's shared requests together", async () => {
    const { dir, a } = await setUp();
    const locks = createLockManager({ dir });
    await holdIn(a, 'a-holder', 'a');
    const order: string[] = [];
    let inside = 0;
    const together = gate();
    const requests = [0, 1, 2].map((i) =>
      locks.request('a', { mode: 'shared' }, async () => {
        order.push(`a${i} in`);
        if (++inside === 3) together.open();
        await together.promise;
        order.push(`a${i} out`);
      }),
    );
    // Different names are different locks: b is free, so it is granted now, ahead of a's requests.
    await locks.request('b', () => {
      order.push('b');
    });
    assert.deepEqual(order, ['b']);
    a.send({ type: 'release', id: 'a-holder' });
    await Promise.all(requests);
    // The three shared requests were granted together (all inside before any left), in call order.
    assert.deepEqual(order, ['b', 'a0 in', 'a1 in', 'a2 in', 'a0 out', 'a1 out', 'a2 out']);
    await a.child.next('resolved');
  });

  it("this process's requests keep the spec's queue order while they wait for another process", async () => {
    const { dir, a } = await setUp();
    const locks = createLockManager({ dir });
    await holdIn(a, 'holder', 'q');
    const order: string[] = [];
    const log = (label: string) => async () => {
      order.push(`${label} in`);
      await new Promise((resolve) => setImmediate(resolve));
      order.push(`${label} out`);
    };
    const all = [
      locks.request('q', log('e1')),
      locks.request('q', { mode: 'shared' }, log('s1')),
      locks.request('q', { mode: 'shared' }, log('s2')),
      locks.request('q', log('e2')),
      locks.request('q', { mode: 'shared' }, log('s3')),
    ];
    // ifAvailable is never granted while requests wait in the queue, even one that could share.
    assert.equal(await locks.request('q', { mode: 'shared', ifAvailable: true }, (lock) => lock), null);
    await waitFor(async () => (await locks.query()).pending.length === 5, 10_000, 'five requests to wait');
    a.send({ type: 'release', id: 'holder' });
    await Promise.all(all);
    assert.deepEqual(order, [
      'e1 in',
      'e1 out',
      's1 in',
      's2 in',
      's1 out',
      's2 out',
      'e2 in',
      'e2 out',
      's3 in',
      's3 out',
    ]);
    await a.child.next('resolved');
  });
});
