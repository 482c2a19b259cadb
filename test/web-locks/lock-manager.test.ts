// The Web Locks spec's behaviours, one by one, within one process.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { threadId } from 'node:worker_threads';
import { createLockManager, type LockManager, WebLock } from '../../src/index.js';
import { FIXTURES, waitFor } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

const CLIENT = `node-${process.pid}-${threadId}`;

/** A promise with its resolve, to hold a lock until the test lets go. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Settle a request's promise into a value the test can inspect without unhandled rejections. */
function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

async function rejectsWith(promise: Promise<unknown>, name: string): Promise<unknown> {
  const result = await outcome(promise);
  assert.ok('error' in result, `expected a ${name}, but it resolved`);
  assert.equal((result.error as Error).name, name, String(result.error));
  return result.error;
}

describe('Web Locks in one process', { timeout: 30_000 }, () => {
  const root = tempDir('locksmith-web-locks-');
  let n = 0;
  const manager = (): LockManager => createLockManager({ dir: path.join(root, `m${++n}`) });

  it('calls back with the lock, later than request(), and resolves with what the callback returns', async () => {
    const locks = manager();
    let called = false;
    const promise = locks.request('job', async (lock) => {
      called = true;
      assert.ok(lock instanceof WebLock);
      assert.deepEqual({ name: lock.name, mode: lock.mode }, { name: 'job', mode: 'exclusive' });
      assert.equal(Object.prototype.toString.call(lock), '[object Lock]');
      return 42;
    });
    assert.equal(called, false, 'the callback must not run inside request()');
    assert.equal(await promise, 42);
    assert.equal(await locks.request('job', { mode: 'shared' }, (lock) => lock?.mode), 'shared');
  });

  it('holds the lock until the callback promise settles, and grants waiting requests in request order', async () => {
    const locks = manager();
    const log: string[] = [];
    const first = gate();
    const requests = [
      locks.request('fifo', async () => {
        log.push('1 in');
        await first.promise;
        log.push('1 out');
      }),
    ];
    for (const i of [2, 3, 4, 5]) {
      requests.push(
        locks.request('fifo', async () => {
          log.push(`${i} in`);
          await Promise.resolve();
          log.push(`${i} out`);
        }),
      );
    }
    await waitFor(() => log.length === 1, 5_000, 'first grant');
    first.open();
    await Promise.all(requests);
    assert.deepEqual(log, [
      '1 in',
      '1 out',
      '2 in',
      '2 out',
      '3 in',
      '3 out',
      '4 in',
      '4 out',
      '5 in',
      '5 out',
    ]);
  });

  it('rejects with what the callback throws, and releases the lock', async () => {
    const locks = manager();
    const boom = new Error('boom');
    await assert.rejects(
      locks.request('throws', () => {
        throw boom;
      }),
      (error) => error === boom,
    );
    await assert.rejects(
      locks.request('throws', async () => Promise.reject(boom)),
      (error) => error === boom,
    );
    assert.equal(await locks.request('throws', { ifAvailable: true }, (lock) => lock?.name), 'throws');
  });

  it('grants consecutive shared requests together, and never lets a later shared one pass an exclusive one', async () => {
    const locks = manager();
    const log: string[] = [];
    const exclusive = gate();
    const sharedGate = gate();
    const held = new Set<string>();
    const track = (id: string, until: Promise<void>) => async () => {
      held.add(id);
      log.push(`${id} in with ${[...held].sort().join(',')}`);
      await until;
      held.delete(id);
    };
    const all = [
      locks.request('rw', track('E1', exclusive.promise)),
      locks.request('rw', { mode: 'shared' }, track('S1', sharedGate.promise)),
      locks.request('rw', { mode: 'shared' }, track('S2', sharedGate.promise)),
      locks.request('rw', track('E2', Promise.resolve())),
      locks.request('rw', { mode: 'shared' }, track('S3', Promise.resolve())),
    ];
    await waitFor(() => log.length === 1, 5_000, 'E1 granted');
    exclusive.open();
    await waitFor(() => log.length === 3, 5_000, 'S1 and S2 granted together');
    assert.deepEqual(log, ['E1 in with E1', 'S1 in with S1', 'S2 in with S1,S2']);
    sharedGate.open();
    await Promise.all(all);
    assert.deepEqual(log.slice(3), ['E2 in with E2', 'S3 in with S3']);
  });

  it('ifAvailable: the lock when it is free (or shared with shared holders), else null at once', async () => {
    const locks = manager();
    assert.equal(await locks.request('ia', { ifAvailable: true }, (lock) => lock?.mode), 'exclusive');
    const hold = gate();
    const holder = locks.request('ia', () => hold.promise);
    await waitFor(async () => (await locks.query()).held.length === 1, 5_000, 'held');
    assert.equal(await locks.request('ia', { ifAvailable: true }, (lock) => lock), null);
    assert.equal(
      await locks.request('ia', { ifAvailable: true, mode: 'shared' }, (lock) =>
        lock === null ? 'none' : 'lock',
      ),
      'none',
    );
    // The null callback's result and errors are the request's, like a granted one's.
    await assert.rejects(
      locks.request('ia', { ifAvailable: true }, () => {
        throw new Error('from null callback');
      }),
      /from null callback/,
    );
    hold.open();
    await holder;

    const readers = gate();
    const reader = locks.request('ia', { mode: 'shared' }, () => readers.promise);
    await waitFor(async () => (await locks.query()).held.length === 1, 5_000, 'shared held');
    assert.equal(await locks.request('ia', { ifAvailable: true, mode: 'shared' }, (l) => l?.mode), 'shared');
    assert.equal(await locks.request('ia', { ifAvailable: true }, (l) => l), null);
    readers.open();
    await reader;
  });

  it('ifAvailable is not granted while another request waits, even if it could share', async () => {
    const locks = manager();
    const reader = gate();
    const writer = gate();
    const r = locks.request('queue', { mode: 'shared' }, () => reader.promise);
    const w = locks.request('queue', () => writer.promise);
    await waitFor(async () => (await locks.query()).pending.length === 1, 5_000, 'writer pending');
    assert.equal(await locks.request('queue', { ifAvailable: true, mode: 'shared' }, (l) => l), null);
    reader.open();
    writer.open();
    await Promise.all([r, w]);
  });

  it('steal: the holder rejects with AbortError and keeps running, the stealer goes first, waiters keep their place', async () => {
    const locks = manager();
    const log: string[] = [];
    const holderGate = gate();
    const holder = outcome(
      locks.request('st', async () => {
        log.push('holder in');
        await holderGate.promise;
        log.push('holder still running');
        return 'holder done';
      }),
    );
    await waitFor(() => log.length === 1, 5_000, 'holder granted');
    const waiter = locks.request('st', { mode: 'shared' }, () => {
      log.push('waiter in');
    });
    const stealer = locks.request('st', { steal: true }, async (lock) => {
      log.push(`stealer in (${lock?.mode})`);
      const snapshot = await locks.query();
      assert.deepEqual(snapshot.held, [{ name: 'st', mode: 'exclusive', clientId: CLIENT }]);
      assert.deepEqual(snapshot.pending, [{ name: 'st', mode: 'shared', clientId: CLIENT }]);
      return 'stolen';
    });
    const robbed = await holder;
    assert.ok('error' in robbed);
    assert.ok(robbed.error instanceof DOMException);
    assert.equal(robbed.error.name, 'AbortError');
    assert.equal(await stealer, 'stolen');
    await waiter;
    assert.deepEqual(log, ['holder in', 'stealer in (exclusive)', 'waiter in']);
    holderGate.open();
    await waitFor(() => log.includes('holder still running'), 5_000, 'the robbed callback to go on');
    await waitFor(async () => (await locks.query()).held.length === 0, 5_000, 'nothing held');
  });

  it('steal with nothing held is granted, and shared holders are all robbed', async () => {
    const locks = manager();
    assert.equal(await locks.request('free', { steal: true }, () => 'ok'), 'ok');
    const g = gate();
    const readers = [1, 2].map(() => outcome(locks.request('sh', { mode: 'shared' }, () => g.promise)));
    await waitFor(async () => (await locks.query()).held.length === 2, 5_000, 'two readers');
    await locks.request('sh', { steal: true }, () => undefined);
    for (const result of await Promise.all(readers)) {
      assert.ok('error' in result);
      assert.equal((result.error as Error).name, 'AbortError');
    }
    g.open();
  });

  it('signal: aborted before the request, or while it waits, rejects with the reason; ignored once granted', async () => {
    const locks = manager();
    let called = false;
    const reason = new Error('no longer needed');
    await assert.rejects(
      locks.request('sig', { signal: AbortSignal.abort(reason) }, () => {
        called = true;
      }),
      (error) => error === reason,
    );

    const hold = gate();
    const holder = locks.request('sig', () => hold.promise);
    const controller = new AbortController();
    const waiting = locks.request('sig', { signal: controller.signal }, () => {
      called = true;
    });
    const after = locks.request('sig', () => 'after');
    await waitFor(async () => (await locks.query()).pending.length === 2, 5_000, 'two pending');
    controller.abort(reason);
    await assert.rejects(waiting, (error) => error === reason);
    assert.deepEqual((await locks.query()).pending, [{ name: 'sig', mode: 'exclusive', clientId: CLIENT }]);
    hold.open();
    await holder;
    assert.equal(await after, 'after');
    assert.equal(called, false);

    const late = new AbortController();
    const granted = gate();
    const done = gate();
    const result = locks.request('sig', { signal: late.signal }, async () => {
      granted.open();
      await done.promise;
      return 'kept';
    });
    await granted.promise;
    late.abort(reason);
    done.open();
    assert.equal(await result, 'kept');
    // The default reason is the platform's AbortError.
    const c = new AbortController();
    c.abort();
    await rejectsWith(
      locks.request('sig', { signal: c.signal }, () => 1),
      'AbortError',
    );
  });

  it('a request aborted just before a steal queues it again still rejects with the reason', async () => {
    const locks = manager();
    const hold = gate();
    const holder = outcome(locks.request('race', () => hold.promise));
    const controller = new AbortController();
    const waiting = locks.request('race', { signal: controller.signal }, () => 'granted');
    await waitFor(async () => (await locks.query()).pending.length === 1, 5_000, 'pending');
    const reason = new Error('gave up');
    controller.abort(reason);
    const stealer = locks.request('race', { steal: true }, () => 'stolen');
    await assert.rejects(waiting, (error) => error === reason);
    assert.equal(await stealer, 'stolen');
    hold.open();
    assert.ok('error' in (await holder));
  });

  it("NotSupportedError for the spec's forbidden requests, checked before an aborted signal", async () => {
    const locks = manager();
    const aborted = AbortSignal.abort(new Error('aborted'));
    const cases: [string, Parameters<LockManager['request']>[1]][] = [
      ['-reserved', {}],
      ['x', { steal: true, ifAvailable: true }],
      ['x', { steal: true, mode: 'shared' }],
      ['x', { signal: aborted, steal: true }],
      ['x', { signal: aborted, ifAvailable: true }],
      ['-x', { signal: aborted }],
    ];
    for (const [name, options] of cases) {
      let called = false;
      const error = await rejectsWith(
        locks.request(name, options as object, () => {
          called = true;
        }),
        'NotSupportedError',
      );
      assert.ok(error instanceof DOMException, `${name} ${JSON.stringify(options)}`);
      assert.equal(called, false);
    }
    // A hyphen elsewhere is fine.
    assert.equal(await locks.request('a-b', () => 'ok'), 'ok');
  });

  it('TypeError for a missing callback, a bad mode, a bad signal or options', async () => {
    const locks = manager();
    const request = locks.request.bind(locks) as (...args: unknown[]) => Promise<unknown>;
    await rejectsWith(request('x'), 'TypeError');
    await rejectsWith(request('x', {}), 'TypeError');
    await rejectsWith(
      request('x', { mode: 'write' }, () => 1),
      'TypeError',
    );
    await rejectsWith(
      request('x', { signal: {} }, () => 1),
      'TypeError',
    );
    await rejectsWith(
      request('x', 5, () => 1),
      'TypeError',
    );
    await rejectsWith(
      request(Symbol('x'), () => 1),
      'TypeError',
    );
    // WebIDL: names are converted to strings, options may be null.
    assert.equal(await request(12, null, (lock: WebLock) => lock.name), '12');
  });

  it('query(): held in grant order and pending in request order, with the client id; empty when done', async () => {
    const locks = manager();
    assert.deepEqual(await locks.query(), { held: [], pending: [] });
    const a = gate();
    const b = gate();
    const requests = [
      locks.request('qa', () => a.promise),
      locks.request('qb', { mode: 'shared' }, () => b.promise),
      locks.request('qa', { mode: 'shared' }, () => undefined),
      locks.request('qb', () => undefined),
    ];
    await waitFor(async () => (await locks.query()).held.length === 2, 5_000, 'two held');
    assert.deepEqual(await locks.query(), {
      held: [
        { name: 'qa', mode: 'exclusive', clientId: CLIENT },
        { name: 'qb', mode: 'shared', clientId: CLIENT },
      ],
      pending: [
        { name: 'qa', mode: 'shared', clientId: CLIENT },
        { name: 'qb', mode: 'exclusive', clientId: CLIENT },
      ],
    });
    a.open();
    b.open();
    await Promise.all(requests);
    assert.deepEqual(await locks.query(), { held: [], pending: [] });
  });

  it('rejects a bad dir at once', () => {
    assert.throws(() => createLockManager({ dir: '' }), { code: 'LOCK_INVALID_ARGUMENT' });
    assert.throws(() => createLockManager({ dir: 'a\0b' }), { code: 'LOCK_INVALID_ARGUMENT' });
  });
});

describe('Web Locks: calls made before the core has loaded', { timeout: 60_000 }, () => {
  it('are decided in call order, across managers, as when the core loaded at import', () => {
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', path.join(FIXTURES, 'web-locks-first-tick.ts'), tempDir()],
      { encoding: 'utf8', timeout: 50_000 },
    );
    const result = JSON.parse(output.trim()) as unknown;
    // The first request holds `n`; the ifAvailable ones made after it in the same tick, by the same manager
    // and by another on the same folder, find it busy; the query made then sees the first one held.
    assert.deepEqual(result, {
      got: { first: 'n', sameManager: 'null', otherManager: 'null' },
      held: ['n'],
      pending: 0,
    });
  });
});
