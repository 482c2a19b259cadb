// The PostgreSQL backend against a real server (LOCKSMITH_TEST_PG), with real child processes.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { inspect, LockTimeoutError, lock, lockAll, tryLock } from '../../src/index.js';
import { POSTGRES_HANDOFF_MS } from '../../src/postgres/backend.js';
import { postgresBackend } from '../../src/postgres/index.js';
import { type Child, killChildrenAfter, spawnChild, waitFor } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';
import { adminClient, CONNECTION, locksOn, SKIP } from './server.js';

killChildrenAfter();

// A namespace per run, so that runs (and developers) sharing a server never meet.
const NAMESPACE = `t${process.pid}-${Date.now().toString(36)}`;
const KEY = (name: string) => `postgres:${NAMESPACE}:${name}`;

async function worker(): Promise<Child> {
  const child = spawnChild('postgres-worker.ts', [], { LOCKSMITH_TEST_PG_NAMESPACE: NAMESPACE });
  await child.next('ready', 60_000); // start-up takes long on a loaded 2-core machine
  return child;
}

async function holdIn(child: Child, name: string, options: Record<string, unknown> = {}) {
  child.send({ type: 'lock', name, options });
  const reply = await Promise.race([child.next('locked', 60_000), child.next('error', 60_000)]);
  assert.equal(reply.type, 'locked', `child could not lock: ${JSON.stringify(reply)}`);
  return reply as { token?: string };
}

describe('postgres backend', { timeout: 180_000, skip: SKIP }, () => {
  const dir = tempDir();
  let admin: pg.Client;
  const backend = postgresBackend({ connectionString: CONNECTION ?? '', namespace: NAMESPACE });
  const opts = <T extends object>(extra?: T) => ({ backend, ...extra });
  let n = 0;
  const fresh = (what = 'name') => `${what}-${++n}`;

  before(async () => {
    admin = await adminClient();
  });
  after(async () => {
    await backend.close();
    await admin?.query('delete from locksmith_fencing where key like $1', [`postgres:${NAMESPACE}:%`]);
    await admin?.end();
  });

  it('locks a name, shows it in pg_locks, and releases it', async () => {
    const name = fresh('shots/042.exr');
    const handle = await lock(name, opts());
    assert.equal(handle.backend, 'postgres');
    assert.equal(handle.path, name);
    assert.equal(handle.lockfilePath, KEY(name));
    assert.equal(typeof handle.fencingToken, 'bigint');
    const rows = await locksOn(admin, KEY(name));
    assert.deepEqual(
      rows.map((r) => [r.mode, r.granted]),
      [['ExclusiveLock', true]],
    );
    await handle.release();
    await handle.release();
    assert.deepEqual(await locksOn(admin, KEY(name)), []);
  });

  it('inspect names the holder: pid, host and command of another process', async () => {
    const name = fresh();
    const child = await worker();
    await holdIn(child, name);
    const status = await inspect(name, opts());
    assert.equal(status.locked, true);
    assert.equal(status.mode, 'exclusive');
    assert.equal(status.backend, 'postgres');
    assert.equal(status.holder?.pid, child.pid);
    assert.equal(status.holder?.hostname, os.hostname());
    assert.match(status.holder?.command ?? '', /postgres-worker/);
    assert.ok(status.holder?.since && Math.abs(status.holder.since.getTime() - Date.now()) < 60_000);
    const error = await lock(name, opts({ timeout: 0 })).catch((e: unknown) => e);
    assert.ok(error instanceof LockTimeoutError);
    assert.match(error.message, new RegExp(`held by pid ${child.pid} \\(`));
    child.send({ type: 'release' });
    await child.next('released');
    assert.equal((await inspect(name, opts())).locked, false);
    child.kill();
  });

  it('10 processes x 10 locked increments: never two holders, no lost update, tokens increase', async () => {
    const name = fresh('counter');
    const file = path.join(dir, 'counter.json');
    const log = path.join(dir, 'holds.log');
    writeFileSync(file, JSON.stringify({ count: 0 }));
    writeFileSync(log, '');
    const children = await Promise.all(Array.from({ length: 10 }, worker));
    for (const child of children) child.send({ type: 'increment', name, file, log, times: 10 });
    const replies = await Promise.all(children.map((c) => c.next<{ tokens: string[] }>('done', 120_000)));
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).count, 100);
    // The log is in hold order: one holder at a time, and each holder's token above the previous one's.
    let inside = 0;
    let last = -1n;
    let holds = 0;
    for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
      if (line.startsWith('enter ')) {
        inside++;
        holds++;
        assert.equal(inside, 1, `two holders at once at hold ${holds}`);
        const token = BigInt(line.slice(6));
        assert.ok(token > last, `token ${token} after ${last}`);
        last = token;
      } else inside--;
    }
    assert.equal(holds, 100);
    assert.equal(new Set(replies.flatMap((r) => r.tokens)).size, 100);
    for (const child of children) child.kill();
  });

  it('a holder SIGKILLed: the server releases its lock and a waiter gets it', async () => {
    const name = fresh();
    const child = await worker();
    await holdIn(child, name);
    const waiting = lock(name, opts({ timeout: 20_000 }));
    child.kill('SIGKILL');
    await child.exited;
    const handle = await waiting;
    assert.equal((await inspect(name, opts())).holder?.pid, process.pid);
    await handle.release();
  });

  it('pg_terminate_backend of the holder: its signal aborts with LOCK_COMPROMISED, a waiter gets in', async () => {
    const name = fresh();
    const child = await worker();
    await holdIn(child, name);
    const [row] = await locksOn(admin, KEY(name));
    assert.ok(row?.granted);
    const waiting = lock(name, opts({ timeout: 20_000 }));
    await admin.query('select pg_terminate_backend($1)', [row.pid]);
    const lost = await child.next<{ code: string; message: string }>('lost');
    assert.equal(lost.code, 'LOCK_COMPROMISED');
    assert.match(lost.message, new RegExp(KEY(name).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    const handle = await waiting;
    await handle.release();
    child.kill();
  });

  it('a connection lost while nobody watched: watching later reports the loss at once', async () => {
    const key = KEY(fresh());
    const holder = { pid: process.pid, hostname: os.hostname(), command: 'test', since: new Date() };
    const grant = await backend.tryAcquire(key, 'exclusive', holder);
    assert.ok(grant);
    const [row] = await locksOn(admin, key);
    await admin.query('select pg_terminate_backend($1)', [row!.pid]);
    // Each probe starts and stops a watch; once the client has seen the loss, watchLoss reports it at once.
    let reason: (Error & { code?: string }) | undefined;
    await waitFor(
      () => {
        grant.watchLoss((error) => {
          reason = error;
        })();
        return reason !== undefined;
      },
      10_000,
      'the loss',
    );
    assert.equal(reason?.code, 'LOCK_COMPROMISED');
    await grant.release({ remove: false }); // does not throw for a lost lock
    assert.deepEqual(await locksOn(admin, key), []);
  });

  it('a timeout leaves nothing in pg_locks, and nothing is granted later', async () => {
    const name = fresh();
    const child = await worker();
    await holdIn(child, name);
    const [holder] = await locksOn(admin, KEY(name));
    const failed = lock(name, opts({ timeout: 3_000 })).catch((e: unknown) => e);
    // The waiter queues on the server between backoff steps (a lock_timeout-bounded wait)...
    await waitFor(
      async () => (await locksOn(admin, KEY(name))).some((r) => !r.granted),
      3_000,
      'a queued waiter',
    );
    const error = await failed;
    assert.ok(error instanceof LockTimeoutError);
    // ...and the server itself cancelled that wait: nothing is left to be granted later.
    assert.deepEqual(await locksOn(admin, KEY(name)), [holder], 'only the holder, nobody waiting');
    child.send({ type: 'release' });
    await child.next('released');
    assert.deepEqual(await locksOn(admin, KEY(name)), []);
    const other = await worker();
    await holdIn(other, name, { timeout: 0 });
    assert.equal((await locksOn(admin, KEY(name))).length, 1);
    child.kill();
    other.kill();
  });

  it('a wait that times out on the token row (lock granted, row busy) leaves the lock free', async () => {
    const key = KEY(fresh());
    const holder = { pid: process.pid, hostname: os.hostname(), command: 'test', since: new Date() };
    const first = await backend.tryAcquire(key, 'exclusive', holder);
    assert.ok(first);
    await first.release({ remove: false });
    // Another transaction holds the token row: the advisory lock is granted, then the upsert waits.
    const blocker = await adminClient();
    try {
      await blocker.query('begin');
      await blocker.query('select token from locksmith_fencing where key = $1 for update', [key]);
      assert.equal(await backend.tryAcquire(key, 'exclusive', holder, { wait: 100 }), undefined);
      assert.deepEqual(await locksOn(admin, key), [], 'the advisory lock was given back');
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    const again = await backend.tryAcquire(key, 'exclusive', holder, { wait: 100 });
    assert.ok(again && again.fencingToken! > first.fencingToken!);
    await again.release({ remove: false });
  });

  it('an abort while waiting rejects with signal.reason and leaves nothing in pg_locks', async () => {
    const name = fresh();
    const child = await worker();
    await holdIn(child, name);
    const [holder] = await locksOn(admin, KEY(name));
    const controller = new AbortController();
    const waiting = lock(name, opts({ signal: controller.signal }));
    const reason = new Error('stop');
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(waiting, (e) => e === reason);
    assert.deepEqual(await locksOn(admin, KEY(name)), [holder]);
    child.send({ type: 'release' });
    await child.next('released');
    assert.deepEqual(await locksOn(admin, KEY(name)), []);
    child.kill();
  });

  it('shared: readers of several processes together, a writer waits for all of them', async () => {
    const name = fresh();
    const readers = await Promise.all([worker(), worker()]);
    for (const reader of readers) await holdIn(reader, name, { shared: true });
    const rows = await locksOn(admin, KEY(name));
    assert.deepEqual(
      rows.map((r) => r.mode),
      ['ShareLock', 'ShareLock'],
    );
    const status = await inspect(name, opts());
    assert.equal(status.mode, 'shared');
    assert.ok(readers.some((r) => r.pid === status.holder?.pid));
    const mine = await tryLock(name, opts({ shared: true }));
    assert.ok(mine, 'a third reader joins');
    await mine.release();
    assert.equal(await tryLock(name, opts()), undefined, 'a writer cannot enter');
    const writer = lock(name, opts({ timeout: 20_000 }));
    readers[0]!.send({ type: 'release' });
    await readers[0]!.next('released');
    const remaining = await locksOn(admin, KEY(name));
    assert.deepEqual(
      remaining.filter((r) => r.granted).map((r) => r.mode),
      ['ShareLock'],
      'one reader still holds, the writer waits',
    );
    readers[1]!.send({ type: 'release' });
    await readers[1]!.next('released');
    const handle = await writer;
    assert.deepEqual(
      (await locksOn(admin, KEY(name))).map((r) => r.mode),
      ['ExclusiveLock'],
    );
    await handle.release();
    for (const reader of readers) reader.kill();
  });

  it('fencing tokens strictly increase across holders of one name', async () => {
    const name = fresh();
    const child = await worker();
    const tokens: bigint[] = [];
    for (let i = 0; i < 3; i++) {
      const mine = await lock(name, opts());
      tokens.push(mine.fencingToken!);
      await mine.release();
      tokens.push(BigInt((await holdIn(child, name)).token!));
      child.send({ type: 'release' });
      await child.next('released');
    }
    for (let i = 1; i < tokens.length; i++) assert.ok(tokens[i]! > tokens[i - 1]!, `${tokens}`);
    // Another name has its own sequence.
    const other = await lock(fresh(), opts());
    assert.equal(other.fencingToken, 1n);
    await other.release();
    child.kill();
  });

  it('no re-entrancy: two attempts of one process are two sessions that exclude each other', async () => {
    const key = KEY(fresh());
    const first = await backend.tryAcquire(key, 'exclusive', {
      pid: process.pid,
      hostname: os.hostname(),
      command: 'test',
      since: new Date(),
    });
    assert.ok(first);
    // Straight at the backend (bypassing the core's in-process queue), the second try must still fail:
    // in one shared session it would re-enter and succeed.
    const second = await backend.tryAcquire(key, 'exclusive', {
      pid: process.pid,
      hostname: os.hostname(),
      command: 'test',
      since: new Date(),
    });
    assert.equal(second, undefined);
    await first.release({ remove: false });
    assert.deepEqual(await locksOn(admin, key), []);
  });

  it('tasks of one process queue in locksmith: a handoff keeps the one session and its token', async () => {
    const name = fresh();
    const first = await lock(name, opts());
    const second = lock(name, opts({ timeout: 10_000 }));
    await first.release();
    const handle = await second;
    assert.equal(handle.fencingToken, first.fencingToken);
    assert.equal((await locksOn(admin, KEY(name))).length, 1);
    await handle.release();
    const third = await lock(name, opts());
    assert.ok(third.fencingToken! > first.fencingToken!, 'a new grant gets a new token');
    await third.release();
  });

  it(`tasks that keep passing a name keep each grant ${POSTGRES_HANDOFF_MS} ms before it goes back to the server`, async () => {
    const name = fresh();
    // Each grant's token, and when this process first and last held it.
    const grants = new Map<bigint, { from: number; to: number }>();
    let stop = false;
    const loop = async () => {
      while (!stop) {
        const handle = await lock(name, opts());
        const token = handle.fencingToken!;
        const grant = grants.get(token) ?? { from: performance.now(), to: 0 };
        grants.set(token, grant);
        await new Promise((resolve) => setImmediate(resolve));
        grant.to = performance.now();
        await handle.release();
      }
    };
    const loops = [loop(), loop()];
    while (grants.size < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    stop = true;
    await Promise.all(loops);
    // Each grant but the last ended because the bound was reached while the other task waited (the
    // core's own 10 ms would cost a round trip to the server every 10 ms).
    const held = [...grants.values()].slice(0, -1).map((g) => g.to - g.from);
    assert.ok(
      held.every((ms) => ms >= POSTGRES_HANDOFF_MS - 1),
      `grants held ${held.map((ms) => ms.toFixed(1)).join(', ')} ms`,
    );
  });

  it('lockAll: all-or-nothing across processes, in one canonical order', async () => {
    const [a, b, c] = [fresh('a'), fresh('b'), fresh('c')];
    const child = await worker();
    await holdIn(child, b);
    const error = await lockAll([c, b, a], opts({ timeout: 0 })).catch((e: unknown) => e);
    assert.ok(error instanceof LockTimeoutError);
    assert.equal(error.lockfilePath, KEY(b));
    assert.equal(error.holder?.pid, child.pid);
    for (const name of [a, c]) assert.deepEqual(await locksOn(admin, KEY(name)), [], `${name} released`);
    child.send({ type: 'release' });
    await child.next('released');
    child.send({ type: 'lockAll', names: [a, b, c] });
    await child.next('locked');
    assert.equal(await tryLock(c, opts()), undefined);
    child.send({ type: 'release' });
    await child.next('released');
    await using group = await lockAll([c, a, b], opts({ timeout: 5_000 }));
    assert.deepEqual(
      group.handles.map((h) => h.path),
      [a, b, c],
    );
    child.kill();
  });

  it('a held lock does not keep its process alive; the server releases it when the process exits', async () => {
    const name = fresh();
    const child = await worker();
    child.send({ type: 'lock-and-leave', name });
    await child.next('locked');
    assert.deepEqual(await child.exited, { code: 0, signal: null });
    await waitFor(async () => (await locksOn(admin, KEY(name))).length === 0, 10_000, 'the release');
  });

  it('root: two mounts of one share at different paths lock the same file by its relative path', async () => {
    const mountA = path.join(dir, 'mnt-a');
    const mountB = path.join(dir, 'srv', 'share');
    mkdirSync(mountA, { recursive: true });
    mkdirSync(mountB, { recursive: true });
    const a = postgresBackend({ connectionString: CONNECTION ?? '', namespace: NAMESPACE, root: mountA });
    const b = postgresBackend({ connectionString: CONNECTION ?? '', namespace: NAMESPACE, root: mountB });
    try {
      const name = fresh('designs/x');
      const held = await lock(path.join(mountA, name), { backend: a });
      assert.equal(held.lockfilePath, KEY(name));
      assert.equal(held.path, path.join(mountA, name));
      assert.deepEqual(
        (await locksOn(admin, KEY(name))).map((r) => r.granted),
        [true],
      );
      assert.equal(await tryLock(path.join(mountB, name), { backend: b }), undefined, 'the other mount');
      assert.equal(await tryLock(name, { backend: b }), undefined, 'the relative name');
      const status = await inspect(path.join(mountB, name), { backend: b });
      assert.equal(status.holder?.pid, process.pid);
      const other = await tryLock(path.join(mountB, `${name}-other`), { backend: b });
      assert.ok(other, 'another file of the share is another lock');
      await other.release();
      // Outside the root a path is its own name: only the same absolute path excludes.
      const outside = path.join(dir, name);
      const out = await tryLock(outside, { backend: a });
      assert.ok(out);
      assert.equal(out.lockfilePath, KEY(outside));
      await out.release();
      await held.release();
      const next = await tryLock(path.join(mountB, name), { backend: b });
      assert.ok(next, 'free once released');
      await next.release();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('watch: a release in another process wakes a watcher (LISTEN/NOTIFY)', async () => {
    const name = fresh();
    const child = await worker();
    await holdIn(child, name);
    let woken = 0;
    const stop = backend.watch(KEY(name), () => woken++);
    try {
      // The listener connects asynchronously; releases before it listens are missed by design (the core polls).
      await waitFor(
        async () => {
          const r = await admin.query(
            "select count(*)::int as n from pg_stat_activity where query = 'listen locksmith_released'",
          );
          return (r.rows[0] as { n: number }).n > 0;
        },
        10_000,
        'the listener',
      );
      child.send({ type: 'release' });
      await child.next('released');
      await waitFor(() => woken > 0, 10_000, 'a wake-up');
    } finally {
      stop();
      child.kill();
    }
  });
});
