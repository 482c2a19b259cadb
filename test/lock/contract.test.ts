// The contract every backend must keep, run once per backend in test/helpers/backends.ts.
// Real child processes stand for "another process"; every test is bounded and children are killed after.
// Children are told the backend as a BackendSpec (plain data), and build it with backendFromSpec.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  inspect,
  type LockOptions,
  LockTimeoutError,
  lock,
  lockAll,
  tryLock,
  withLock,
} from '../../src/index.js';
import { type BackendSpec, backendFromSpec, closeBuiltBackends } from '../helpers/backend-from-spec.js';
import { BACKENDS } from '../helpers/backends.js';
import { type Child, killChildrenAfter, spawnChild } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

killChildrenAfter();

async function worker(): Promise<Child> {
  const child = spawnChild('lock-worker.ts');
  await child.next('ready', 60_000); // tsx start-up of 10 children at once is slow on a busy 2-core machine
  return child;
}

/** Lock options as sent to a child: the backend as a spec. */
type SentOptions = Omit<LockOptions, 'backend'> & { backend: BackendSpec };

async function holdIn(child: Child, file: string, options: SentOptions): Promise<void> {
  child.send({ type: 'lock', path: file, options });
  const reply = await Promise.race([child.next('locked'), child.next('error')]);
  assert.equal(reply.type, 'locked', `child could not lock: ${JSON.stringify(reply)}`);
}

/** Checks an enter/exit log: never two holders at once. */
function assertNoOverlap(log: string): number {
  let inside = 0;
  let holds = 0;
  for (const line of log.split('\n').filter(Boolean)) {
    if (line.startsWith('enter')) {
      inside++;
      holds++;
      assert.equal(inside, 1, `two holders at once at hold ${holds}`);
    } else inside--;
  }
  return holds;
}

// test/lock/contract-poll.test.ts runs this file again with LOCKSMITH_WAIT=poll (the kernel backend's
// polling waits, which macOS and Windows use) and LOCKSMITH_CONTRACT_BACKEND=kernel.
const only = process.env.LOCKSMITH_CONTRACT_BACKEND;
const waits = process.env.LOCKSMITH_WAIT === 'poll' ? ' (poll waits)' : '';
for (const backend of BACKENDS.filter((b) => only === undefined || b.name === only)) {
  describe(`lock contract: ${backend.name} backend${waits}`, { timeout: 240_000 }, async () => {
    const skip = await backend.unavailable();
    const skipShared =
      skip ?? (backend.shared ? undefined : `the ${backend.name} backend refuses shared locks`);
    const noLockFiles =
      skip ?? (backend.lockFiles ? undefined : `the ${backend.name} backend has no lock files`);
    // This process's options, and a child's (which builds the same backend from the spec).
    const opts = (extra: LockOptions = {}): LockOptions => ({
      backend: backendFromSpec(backend.spec),
      ...extra,
    });
    const sent = (extra: Omit<LockOptions, 'backend'> = {}): SentOptions => ({
      backend: backend.spec,
      ...extra,
    });
    after(async () => {
      await closeBuiltBackends();
      if (!skip) await backend.cleanUp?.();
    });
    const dir = tempDir();
    let n = 0;
    const fresh = (name = 'file') => path.join(dir, `${name}-${++n}.json`);

    const what = backend.lockFiles
      ? 'path + ".lock", creating its folder,'
      : 'the path as a name, creating nothing,';
    it(`locks ${what} and releases`, { skip }, async () => {
      const file = path.join(dir, 'deep', 'er', 'tasks.json');
      const handle = await lock(file, opts());
      assert.equal(handle.lockfilePath, backend.lockfileOf(file));
      assert.equal(existsSync(path.join(dir, 'deep')), backend.lockFiles);
      assert.equal(handle.path, file);
      assert.equal(handle.shared, false);
      assert.equal(handle.backend, backend.name);
      assert.equal((await inspect(file, opts())).locked, true);
      await handle.release();
      await handle.release(); // twice is fine
      assert.equal((await inspect(file, opts())).locked, false);
    });

    it('honours lockfilePath', { skip }, async () => {
      const lockfilePath = path.join(dir, 'custom', 'my.lck');
      const file = fresh();
      await withLock(
        file,
        async (handle) => {
          assert.equal(handle.lockfilePath, backend.lockfileOf(file, lockfilePath));
          assert.equal((await inspect('anything', opts({ lockfilePath }))).locked, true);
        },
        opts({ lockfilePath }),
      );
    });

    it('await using releases at the end of the block, also on throw', { skip }, async () => {
      const file = fresh();
      await assert.rejects(async () => {
        await using _held = await lock(file, opts());
        assert.equal((await inspect(file, opts())).locked, true);
        throw new Error('boom');
      }, /boom/);
      assert.equal((await inspect(file, opts())).locked, false);
    });

    it('withLock returns the value and releases on throw', { skip }, async () => {
      const file = fresh();
      assert.equal(await withLock(file, () => 42, opts()), 42);
      await assert.rejects(
        withLock(
          file,
          () => {
            throw new Error('inner');
          },
          opts(),
        ),
        /inner/,
      );
      assert.ok(await tryLock(file, opts()).then((h) => h?.release().then(() => true)));
    });

    it('another process holding: tryLock is undefined, lock times out naming the holder', {
      skip,
    }, async () => {
      const file = fresh();
      const child = await worker();
      await holdIn(child, file, sent());
      assert.equal(await tryLock(file, opts()), undefined);
      const waits: unknown[] = [];
      const error = await lock(
        file,
        opts({ timeout: 150, onWait: (info) => waits.push(info.holder?.pid) }),
      ).then(
        () => assert.fail('should time out'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof LockTimeoutError);
      assert.equal(error.code, 'LOCK_TIMEOUT');
      assert.equal(error.holder?.pid, child.pid);
      assert.match(error.message, new RegExp(`held by pid ${child.pid} \\(`));
      assert.deepEqual(waits, [child.pid], 'onWait is called once, with the holder');
      const status = await inspect(file, opts());
      assert.equal(status.locked, true);
      assert.equal(status.holder?.pid, child.pid);
      child.send({ type: 'release' });
      await child.next('released');
      const handle = await lock(file, opts({ timeout: 5_000 }));
      await handle.release();
    });

    it('a waiter gets the lock when the holder process releases', { skip }, async () => {
      const file = fresh();
      const child = await worker();
      await holdIn(child, file, sent());
      const waiting = lock(file, opts({ timeout: 20_000 }));
      child.send({ type: 'release' });
      const handle = await waiting;
      assert.equal((await inspect(file, opts())).holder?.pid, process.pid);
      await handle.release();
    });

    it('a holder SIGKILLed while holding: a waiter gets the lock', { skip }, async () => {
      const file = fresh();
      const child = await worker();
      await holdIn(child, file, sent());
      const waiting = lock(file, opts({ timeout: 20_000 }));
      child.kill('SIGKILL');
      await child.exited;
      const handle = await waiting;
      await handle.release();
    });

    it('abort before waiting rejects with signal.reason and takes nothing', { skip }, async () => {
      const file = fresh();
      const reason = new Error('changed my mind');
      await assert.rejects(lock(file, opts({ signal: AbortSignal.abort(reason) })), (e) => e === reason);
      assert.equal((await inspect(file, opts())).locked, false);
    });

    it('abort while waiting (another process holds) rejects with signal.reason', { skip }, async () => {
      const file = fresh();
      const child = await worker();
      await holdIn(child, file, sent());
      const controller = new AbortController();
      const waiting = lock(file, opts({ signal: controller.signal }));
      const reason = new Error('stop');
      setImmediate(() => controller.abort(reason));
      await assert.rejects(waiting, (e) => e === reason);
      child.kill();
    });

    it('abort while queued behind a task of this process', { skip }, async () => {
      const file = fresh();
      const held = await lock(file, opts());
      const controller = new AbortController();
      const queued = lock(file, opts({ signal: controller.signal }));
      const next = lock(file, opts({ timeout: 10_000 }));
      controller.abort(new Error('gone'));
      await assert.rejects(queued, /gone/);
      await held.release();
      await (await next).release();
    });

    it('8 async tasks of one process never overlap and lose no update', { skip }, async () => {
      const file = fresh();
      writeFileSync(file, JSON.stringify({ count: 0 }));
      let inside = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = 0; i < 25; i++) {
            await withLock(
              file,
              async () => {
                inside++;
                most = Math.max(most, inside);
                const data = JSON.parse(readFileSync(file, 'utf8')) as { count: number };
                await new Promise((resolve) => setImmediate(resolve));
                writeFileSync(file, JSON.stringify({ count: data.count + 1 }));
                inside--;
              },
              opts(),
            );
          }
        }),
      );
      assert.equal(most, 1);
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).count, 200);
    });

    it('tasks of one process get the lock in FIFO order', { skip }, async () => {
      const file = fresh();
      const first = await lock(file, opts());
      const order: number[] = [];
      const tasks = [1, 2, 3, 4].map((i) =>
        lock(file, opts()).then(async (h) => {
          order.push(i);
          await h.release();
        }),
      );
      await first.release();
      await Promise.all(tasks);
      assert.deepEqual(order, [1, 2, 3, 4]);
    });

    it('10 processes x 100 locked increments end at exactly 1000', { skip }, async () => {
      const file = fresh('counter');
      writeFileSync(file, JSON.stringify({ count: 0 }));
      const children = await Promise.all(Array.from({ length: 10 }, worker));
      for (const child of children)
        child.send({ type: 'increment', path: file, times: 100, options: sent() });
      await Promise.all(children.map((c) => c.next('done', 120_000)));
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).count, 1000);
    });

    it('shared: two readers together, a writer waits for both', { skip: skipShared }, async () => {
      const file = fresh();
      const readers = await Promise.all([worker(), worker()]);
      for (const reader of readers) await holdIn(reader, file, sent({ shared: true }));
      const mine = await tryLock(file, opts({ shared: true }));
      assert.ok(mine, 'a third reader joins');
      await mine.release();
      assert.equal(await tryLock(file, opts()), undefined, 'a writer cannot enter');
      const writer = lock(file, opts({ timeout: 20_000 }));
      let writerIn = false;
      void writer.then(() => {
        writerIn = true;
      });
      readers[0]!.send({ type: 'release' });
      await readers[0]!.next('released');
      assert.equal(await tryLock(file, opts()), undefined, 'one reader still holds');
      assert.equal(writerIn, false);
      readers[1]!.send({ type: 'release' });
      await readers[1]!.next('released');
      await (await writer).release();
    });

    it('shared: refused with LOCK_UNSUPPORTED where the backend has none', {
      skip: skip ?? (backend.shared ? 'it has shared locks' : undefined),
    }, async () => {
      const file = fresh();
      await assert.rejects(lock(file, opts({ shared: true })), { code: 'LOCK_UNSUPPORTED' });
      assert.equal((await inspect(file, opts())).locked, false);
    });

    it('shared tasks of one process hold together; exclusive waits', { skip: skipShared }, async () => {
      const file = fresh();
      const a = await lock(file, opts({ shared: true }));
      const b = await tryLock(file, opts({ shared: true }));
      assert.ok(b);
      assert.equal(await tryLock(file, opts()), undefined);
      await a.release();
      assert.equal(await tryLock(file, opts()), undefined);
      await b.release();
      await (await lock(file, opts({ timeout: 1_000 }))).release();
    });

    it('lockAll: [a, b] and [b, a] from two processes in a loop never deadlock', { skip }, async () => {
      const a = fresh('a');
      const b = fresh('b');
      const child = await worker();
      const loop = async () => {
        for (let i = 0; i < 50; i++) {
          const group = await lockAll([b, a], opts({ timeout: 20_000 }));
          await group.release();
        }
      };
      const childLoop = async () => {
        for (let i = 0; i < 50; i++) {
          child.send({ type: 'lockAll', paths: [a, b], options: sent({ timeout: 20_000 }) });
          await child.next('locked');
          child.send({ type: 'release' });
          await child.next('released');
        }
      };
      await Promise.all([loop(), childLoop()]);
    });

    it('lockAll: a busy lock fails the group and releases what was taken', { skip }, async () => {
      const a = fresh('a');
      const b = fresh('b');
      const c = fresh('c');
      const child = await worker();
      await holdIn(child, b, sent());
      const error = await lockAll([a, b, c], opts({ timeout: 0 })).then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof LockTimeoutError);
      assert.equal(error.lockfilePath, backend.lockfileOf(b));
      assert.equal(error.holder?.pid, child.pid);
      assert.equal((await inspect(a, opts())).locked, false);
      assert.equal((await inspect(c, opts())).locked, false);
      const group = await lockAll([a, c, a], opts({ timeout: 0 }));
      assert.equal(group.handles.length, 2, 'the same file named twice is locked once');
      await group.release();
    });

    it('removeOnRelease under contention never gives two holders', { skip: noLockFiles }, async () => {
      const file = fresh('removed');
      const log = path.join(dir, `holds-${n}.log`);
      writeFileSync(log, '');
      const children = await Promise.all(Array.from({ length: 4 }, worker));
      const options = sent({ removeOnRelease: true });
      for (const child of children) child.send({ type: 'log-holds', path: file, log, times: 100, options });
      await Promise.all(children.map((c) => c.next('done', 120_000)));
      assert.equal(assertNoOverlap(readFileSync(log, 'utf8')), 400);
    });
  });
}
