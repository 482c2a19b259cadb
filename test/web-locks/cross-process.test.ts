// The Web Locks across real processes: exclusion, shared mode, steal, query, and a SIGKILLed holder.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { threadId } from 'node:worker_threads';
import { createLockManager, type WebLockSnapshot } from '../../src/index.js';
import { queueWaitsAvailable as kernelWaitsAvailable } from '../../src/lock/backends/kernel/wait/index.js';
import { killChildrenAfter, waitFor } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';
import { ticketsOf } from '../helpers/wait-queue.js';
import { gate, holdIn, twoWorkers } from '../helpers/web-locks.js';

killChildrenAfter();

const ME = `node-${process.pid}-${threadId}`;

function sortInfo(list: WebLockSnapshot['held']): WebLockSnapshot['held'] {
  return [...list].sort((a, b) => a.clientId.localeCompare(b.clientId) || a.mode.localeCompare(b.mode));
}

describe('Web Locks across processes', { timeout: 60_000 }, () => {
  const root = tempDir('locksmith-web-locks-x-');
  // Two children serve every test but the last, each test in a fresh folder.
  const setUp = twoWorkers(root);

  it('an exclusive lock held by another process excludes this one until it is released', async () => {
    const { dir, a } = await setUp();
    const locks = createLockManager({ dir });
    await holdIn(a, 'a1', 'db');
    assert.equal(await locks.request('db', { ifAvailable: true }, (lock) => lock), null);
    let ran = false;
    const mine = locks.request('db', () => {
      ran = true;
      return 'mine';
    });
    await waitFor(async () => (await locks.query()).pending.length === 1, 10_000, 'our request to wait');
    assert.equal(ran, false, 'granted while another process held the lock');
    a.send({ type: 'release', id: 'a1' });
    assert.equal(await mine, 'mine');
    assert.equal((await a.child.next<{ value: string }>('resolved')).value, 'a1');
    // And the other way round: the child waits while we hold it.
    const g = gate();
    const held = locks.request('db', () => g.promise);
    await waitFor(async () => (await locks.query()).held.length === 1, 10_000, 'held here');
    a.send({ type: 'request', id: 'a2', name: 'db', options: { ifAvailable: true } });
    assert.equal((await a.child.next<{ lock: unknown }>('granted')).lock, null);
    await a.child.next('resolved');
    g.open();
    await held;
  });

  it('a request waiting for another process sleeps in the wait queue, and notices a steal at once', {
    skip: kernelWaitsAvailable() ? false : 'waits cannot sleep in the kernel here',
  }, async () => {
    const { dir, a, b } = await setUp();
    const locks = createLockManager({ dir });
    await holdIn(a, 'first', 'queue');
    const asleep = ticketsOf(process.pid);
    const mine = locks.request('queue', () => 'mine');
    await waitFor(() => ticketsOf(process.pid) > asleep, 10_000, 'our request asleep in the wait queue');
    a.send({ type: 'release', id: 'first' });
    assert.equal(await mine, 'mine');
    await a.child.next('resolved');

    // a holds the lock again; our request sleeps on that file. b steals it (a new file) and lets go at
    // once, while a's robbed callback keeps its old file locked: our request must take the new file
    // now, not when its sleep ends by itself (every 2 s).
    await holdIn(a, 'victim', 'queue');
    const again = locks.request('queue', () => 'again');
    await waitFor(() => ticketsOf(process.pid) > asleep, 10_000, 'our request asleep in the wait queue');
    const stealAt = performance.now();
    b.send({ type: 'request', id: 'thief', name: 'queue', options: { steal: true } });
    await b.child.next('granted');
    b.send({ type: 'release', id: 'thief' });
    assert.equal(await again, 'again');
    const took = performance.now() - stealAt;
    assert.ok(took < 1_500, `granted ${Math.round(took)} ms after the steal, as if the sleep had run out`);
    assert.equal((await a.child.next<{ name: string }>('rejected')).name, 'AbortError');
    a.send({ type: 'release', id: 'victim' });
    await a.child.next('finished');
    await b.child.next('resolved');
  });

  it('no lost update when processes increment a counter under one lock', async () => {
    const { dir, a, b } = await setUp();
    const locks = createLockManager({ dir });
    const file = path.join(root, 'counter.json');
    writeFileSync(file, JSON.stringify({ count: 0 }));
    const times = 40;
    for (const w of [a, b]) w.send({ type: 'increment', name: 'counter', file, times });
    for (let i = 0; i < times; i++) {
      await locks.request('counter', async () => {
        const { count } = JSON.parse(readFileSync(file, 'utf8')) as { count: number };
        await new Promise((resolve) => setImmediate(resolve)); // let the others try while we hold it
        writeFileSync(file, JSON.stringify({ count: count + 1 }));
      });
    }
    await Promise.all([a.child.next('done'), b.child.next('done')]);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).count, 3 * times);
  });

  it('shared locks are held by several processes at once, and keep exclusive requests out', async () => {
    const { dir, a, b } = await setUp();
    const locks = createLockManager({ dir });
    await holdIn(a, 'ra', 'config', { mode: 'shared' });
    await holdIn(b, 'rb', 'config', { mode: 'shared' });
    assert.equal(
      await locks.request('config', { mode: 'shared', ifAvailable: true }, (l) => l?.mode),
      'shared',
    );
    assert.equal(await locks.request('config', { ifAvailable: true }, (l) => l), null);
    const snapshot = await locks.query();
    assert.deepEqual(
      sortInfo(snapshot.held),
      sortInfo([
        { name: 'config', mode: 'shared', clientId: a.clientId },
        { name: 'config', mode: 'shared', clientId: b.clientId },
      ]),
    );
    const writer = locks.request('config', () => 'written');
    a.send({ type: 'release', id: 'ra' });
    await a.child.next('resolved');
    await waitFor(async () => (await locks.query()).pending.length === 1, 10_000, 'the writer to wait');
    b.send({ type: 'release', id: 'rb' });
    assert.equal(await writer, 'written');
  });

  it('query() shows the held and pending requests of every live process, with their client ids', async () => {
    const { dir, a, b } = await setUp();
    const locks = createLockManager({ dir });
    await holdIn(a, 'qa', 'report');
    b.send({ type: 'request', id: 'qb', name: 'report', options: { mode: 'shared' } });
    const g = gate();
    const mine = locks.request('other', { mode: 'shared' }, () => g.promise);
    await waitFor(async () => (await locks.query()).pending.length === 1, 10_000, 'b to wait');
    const expected: WebLockSnapshot = {
      held: [
        { name: 'report', mode: 'exclusive', clientId: a.clientId },
        { name: 'other', mode: 'shared', clientId: ME },
      ],
      pending: [{ name: 'report', mode: 'shared', clientId: b.clientId }],
    };
    assert.deepEqual(await locks.query(), expected);
    b.send({ type: 'query' });
    assert.deepEqual((await b.child.next<{ snapshot: WebLockSnapshot }>('snapshot')).snapshot, expected);
    a.send({ type: 'release', id: 'qa' });
    assert.equal((await b.child.next<{ id: string }>('granted')).id, 'qb');
    for (const w of [a, b]) {
      w.send({ type: 'release', id: w === a ? 'qa' : 'qb' });
      await w.child.next('resolved');
    }
    g.open();
    await mine;
  });

  it('steal takes the lock from another process, whose request rejects with AbortError', async () => {
    const { dir, a, b } = await setUp();
    const locks = createLockManager({ dir });
    await holdIn(a, 'victim', 'sync');
    b.send({ type: 'request', id: 'patient', name: 'sync' });
    await waitFor(async () => (await locks.query()).pending.length === 1, 10_000, 'b to wait');
    // Having tried the lock before, this process keeps a descriptor of the file that the steal replaces.
    assert.equal(await locks.request('sync', { ifAvailable: true }, (lock) => lock), null);
    const g = gate();
    let stolen = false;
    const thief = locks.request('sync', { steal: true }, async () => {
      stolen = true;
      await g.promise;
      return 'thief';
    });
    const rejected = await a.child.next<{ id: string; name: string }>('rejected');
    assert.deepEqual([rejected.id, rejected.name], ['victim', 'AbortError']);
    assert.equal(stolen, true);
    // The robbed callback keeps running until it returns; b still waits, now for us.
    const snapshot = await locks.query();
    assert.deepEqual(snapshot.held, [{ name: 'sync', mode: 'exclusive', clientId: ME }]);
    assert.deepEqual(snapshot.pending, [{ name: 'sync', mode: 'exclusive', clientId: b.clientId }]);
    a.send({ type: 'release', id: 'victim' });
    await a.child.next('finished');
    b.send({ type: 'query' });
    const seenByB = (await b.child.next<{ snapshot: WebLockSnapshot }>('snapshot')).snapshot;
    assert.deepEqual(seenByB.held, [{ name: 'sync', mode: 'exclusive', clientId: ME }]);
    g.open();
    assert.equal(await thief, 'thief');
    const granted = await b.child.next<{ id: string }>('granted');
    assert.equal(granted.id, 'patient');
    b.send({ type: 'release', id: 'patient' });
    await b.child.next('resolved');
  });

  it('a holder killed with SIGKILL releases its lock and disappears from query()', async () => {
    const { dir, a, b } = await setUp();
    const locks = createLockManager({ dir });
    await holdIn(a, 'doomed', 'job');
    b.send({ type: 'request', id: 'doomed-too', name: 'job', options: { mode: 'shared' } });
    await waitFor(async () => (await locks.query()).pending.length === 1, 10_000, 'b to wait');
    const mine = locks.request('job', () => 'after the crash');
    await waitFor(async () => (await locks.query()).pending.length === 2, 10_000, 'us to wait');
    // The last test: the two shared children die here.
    b.child.kill('SIGKILL');
    await b.child.exited;
    assert.deepEqual((await locks.query()).pending, [{ name: 'job', mode: 'exclusive', clientId: ME }]);
    a.child.kill('SIGKILL');
    await a.child.exited;
    assert.equal(await mine, 'after the crash');
    assert.deepEqual(await locks.query(), { held: [], pending: [] });
    // The dead clients' registry files were removed by that query.
    const clients = readdirSync(path.join(dir, 'clients'));
    assert.ok(
      !clients.some((f) => f.startsWith(`${a.child.pid}-`) || f.startsWith(`${b.child.pid}-`)),
      clients.join(', '),
    );
  });
});
