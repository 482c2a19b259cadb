// Waits that sleep in flock(2) on a thread of ours: they end on release, timeout, abort and at exit.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { lock, tryLock } from '../../../src/index.js';
import {
  type KernelWaitResult,
  kernelWaitsAvailable,
  MAX_THREADS,
  waitInKernel,
} from '../../../src/lock/backends/kernel-wait.js';
import { kernelBackend } from '../../../src/lock/backends/select.js';
import {
  FIXTURES,
  holdWithFlock,
  killChildrenAfter,
  spawnChild,
  spawnCommand,
  threadsInFlock,
  waitFor,
} from '../../helpers/children.js';
import { setEnv } from '../../helpers/env.js';
import { tempDir } from '../../helpers/tmp.js';

killChildrenAfter();

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const skip = kernelWaitsAvailable() ? undefined : 'waits cannot sleep in the kernel on this platform';

/**
 * A sleeping wait on `fd`, once a thread is free (the first call starts one and answers undefined).
 * Wrapped, so that awaiting this does not also await the wait itself.
 */
async function sleepingWait(
  fd: number,
  ms: number,
  signal?: AbortSignal,
): Promise<{ result: Promise<KernelWaitResult> }> {
  let pending: Promise<KernelWaitResult> | undefined;
  await waitFor(
    () => {
      pending = waitInKernel(fd, 'exclusive', ms, signal);
      return pending !== undefined;
    },
    10_000,
    'a free waiting thread',
  );
  return { result: pending as Promise<KernelWaitResult> };
}

describe('waits that sleep in the kernel', { timeout: 60_000, skip }, () => {
  const dir = tempDir();

  it('end with the lock when the holder releases, and at the deadline or abort without it', async () => {
    const file = path.join(dir, 'direct.lock');
    writeFileSync(file, '');
    const holder = await holdWithFlock(file);
    const fd = openSync(file, 'r');
    try {
      assert.equal(await (await sleepingWait(fd, 100)).result, 'timeout');
      const controller = new AbortController();
      const aborted = await sleepingWait(fd, 30_000, controller.signal);
      await waitFor(() => threadsInFlock(process.pid) === 1, 10_000, 'asleep in flock');
      controller.abort();
      assert.equal(await aborted.result, 'aborted');
      // A signal aborted already: no sleep (not one that runs to its 30 s deadline).
      assert.equal(await (await sleepingWait(fd, 30_000, controller.signal)).result, 'aborted');
      const granted = await sleepingWait(fd, 30_000);
      await waitFor(() => threadsInFlock(process.pid) === 1, 10_000, 'asleep in flock');
      holder.end();
      assert.equal(await granted.result, 'held');
    } finally {
      closeSync(fd);
    }
  });

  it(`at most ${MAX_THREADS} sleep at once; further waits are refused (they poll instead)`, async () => {
    const files = Array.from({ length: MAX_THREADS + 2 }, (_, i) => path.join(dir, `cap-${i}.lock`));
    for (const f of files) writeFileSync(f, '');
    const holders = await Promise.all(files.map((file) => holdWithFlock(file)));
    const fds = files.map((f) => openSync(f, 'r'));
    const controller = new AbortController();
    const sleeping: Promise<KernelWaitResult>[] = [];
    try {
      for (const fd of fds.slice(0, MAX_THREADS)) {
        sleeping.push((await sleepingWait(fd, 30_000, controller.signal)).result);
      }
      assert.equal(waitInKernel(fds[MAX_THREADS]!, 'exclusive', 30_000, controller.signal), undefined);
      await waitFor(() => threadsInFlock(process.pid) === MAX_THREADS, 10_000, 'all asleep in flock');
      controller.abort();
      assert.deepEqual(new Set(await Promise.all(sleeping)), new Set(['aborted']));
    } finally {
      for (const fd of fds) closeSync(fd);
      for (const holder of holders) holder.end();
    }
  });

  it('more waiters than threads all get their locks, the extra ones by polling', async () => {
    const files = Array.from({ length: MAX_THREADS + 3 }, (_, i) => path.join(dir, `many-${i}.json`));
    const child = spawnChild('lock-worker.ts');
    await child.next('ready', 60_000);
    child.send({ type: 'lockAll', paths: files });
    await child.next('locked');
    const waiters = files.map((f) => lock(f, { timeout: 30_000 }));
    await waitFor(() => threadsInFlock(process.pid) === MAX_THREADS, 10_000, 'threads asleep in flock');
    child.send({ type: 'release' });
    const handles = await Promise.all(waiters);
    for (const handle of handles) await handle.release();
  });

  it('a process exits while one of its waits sleeps in flock (Node joins threads at exit)', async () => {
    const file = path.join(dir, 'exit.json');
    const holder = await tryLock(file);
    assert.ok(holder);
    const child = spawnChild('lock-worker.ts');
    await child.next('ready', 60_000);
    child.send({ type: 'lock', path: file });
    await waitFor(() => threadsInFlock(child.pid) === 1, 20_000, 'the child asleep in flock');
    child.send({ type: 'exit' });
    const hung = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the child hung at exit')), 20_000).unref(),
    );
    const exit = await Promise.race([child.exited, hung]);
    assert.equal(exit.code, 0, 'it exited by itself, not killed after the test');
    await holder.release();
  });

  it('a process exits while its wait thread loads koffi (which aborts the process if terminated then)', async () => {
    // Loading takes 4–10 ms here, koffi's set-up a part of it. Without the exit listener's wait, at least
    // one of these runs died of SIGABRT in each of 12 runs of this test.
    const delays = [1, 1.5, 2, 2.5, 3, 3.5, 4, 5];
    const runs = ['natural', 'exit', 'natural', 'exit'].flatMap((how) => delays.map((delay) => [how, delay]));
    let whileLoading = 0;
    for (let i = 0; i < runs.length; i += 4) {
      const children = runs.slice(i, i + 4).map(([how, delay]) => {
        const child = spawnCommand(process.execPath, [
          '--import',
          'tsx',
          path.join(FIXTURES, 'exit-while-loading.ts'),
          String(how),
          String(delay),
        ]);
        return { child, what: `${how} exit ${delay} ms into loading` };
      });
      for (const { child, what } of children) {
        if (/while .*loading/.test(await child.line(/^exiting/, 30_000))) whileLoading++;
        const exit = await child.exited;
        assert.deepEqual(exit, { code: 0, signal: null }, `${what}: ${child.stderr().slice(0, 300)}`);
      }
    }
    assert.ok(whileLoading >= runs.length / 4, `only ${whileLoading} of ${runs.length} exited while loading`);
  });

  it('LOCKSMITH_WAIT_THREADS=0 turns the sleeping off (waits poll); a bad value is refused', async (t) => {
    const file = path.join(dir, 'no-threads.json');
    const child = spawnChild('lock-worker.ts');
    assert.ok((kernelBackend().queueAfter ?? 0) > 0, 'where waits sleep in flock, they retry first');
    setEnv(t, 'LOCKSMITH_WAIT_THREADS', '0');
    assert.equal(kernelWaitsAvailable(), false);
    assert.equal(kernelBackend().maxWait, undefined);
    assert.equal(
      kernelBackend().queueAfter,
      undefined,
      'no queue to retry before: waits retry on the backoff',
    );
    await child.next('ready', 60_000);
    child.send({ type: 'lock', path: file });
    await child.next('locked');
    let waiting = false;
    const waiter = lock(file, { timeout: 30_000, onWait: () => (waiting = true) });
    await waitFor(() => waiting, 10_000, 'the wait');
    child.send({ type: 'release' });
    await (await waiter).release();
    process.env.LOCKSMITH_WAIT_THREADS = 'many';
    assert.throws(() => kernelWaitsAvailable(), { code: 'LOCK_INVALID_ARGUMENT' });
  });

  it("another copy of locksmith in a user's worker thread shares the interrupt signal", async () => {
    assert.equal(kernelWaitsAvailable(), true, 'this thread installed the handler');
    // The built package, as another module instance would load it (npm install builds dist/).
    const built = pathToFileURL(path.join(ROOT, 'dist', 'lock', 'backends', 'kernel-wait.js')).href;
    const worker = new Worker(
      `import(${JSON.stringify(built)}).then((m) => require('node:worker_threads').parentPort.postMessage(m.kernelWaitsAvailable()))`,
      { eval: true },
    );
    const [answer] = await once(worker, 'message');
    await worker.terminate();
    assert.equal(answer, true, 'it recognised the handler as its own instead of falling back to polling');
  });

  it('a retry that may not sleep yet starts the wait thread the call will sleep on later', async () => {
    const file = path.join(dir, 'prepare.lock');
    writeFileSync(file, '');
    const holder = await holdWithFlock(file);
    const child = spawnCommand(process.execPath, [
      '--import',
      'tsx',
      path.join(FIXTURES, 'prepare-wait.ts'),
      file,
    ]);
    const report = JSON.parse(await child.line(/^\{/, 30_000)) as {
      granted: boolean;
      before: number;
      after: number;
    };
    assert.equal(report.granted, false, 'busy: held by flock(1)');
    assert.ok(report.after > report.before, `a thread was started: ${JSON.stringify(report)}`);
    holder.end();
    await holder.exited;
  });

  it('a process where something else handles the signal leaves it alone, and polls', async () => {
    const child = spawnCommand(process.execPath, [
      '--import',
      'tsx',
      path.join(FIXTURES, 'foreign-signal.ts'),
    ]);
    const report = JSON.parse(await child.line(/^\{/)) as { installed: number; available: boolean };
    assert.equal(report.installed, 0, 'the fixture took the signal');
    assert.equal(report.available, false);
  });

  it('a timeout or abort while asleep leaves nothing held', async () => {
    const file = path.join(dir, 'nothing-held.json');
    const child = spawnChild('lock-worker.ts');
    await child.next('ready', 60_000);
    child.send({ type: 'lock', path: file });
    await child.next('locked');
    await assert.rejects(lock(file, { timeout: 700 }), { code: 'LOCK_TIMEOUT' });
    const controller = new AbortController();
    const aborted = lock(file, { signal: controller.signal });
    await waitFor(() => threadsInFlock(process.pid) >= 1, 10_000, 'asleep in flock');
    controller.abort(new Error('stop'));
    await assert.rejects(aborted, { message: 'stop' });
    child.send({ type: 'release' });
    await child.next('released');
    // Had a sleeping flock been granted after its caller gave up, this process would still hold it.
    const other = spawnChild('lock-worker.ts');
    await other.next('ready', 60_000);
    other.send({ type: 'lock', path: file, options: { timeout: 0 } });
    const reply = await Promise.race([other.next('locked'), other.next('error')]);
    assert.equal(reply.type, 'locked');
  });
});
