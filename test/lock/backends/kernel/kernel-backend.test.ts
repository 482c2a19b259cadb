import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect, LockCompromisedError, lock, tryLock } from '../../../../src/index.js';
import { createPosixLock } from '../../../../src/lock/backends/kernel/posix.js';
import { queueWaitsAvailable as kernelWaitsAvailable } from '../../../../src/lock/backends/kernel/wait/index.js';
import { holdWithFlock, killChildrenAfter, spawnChild } from '../../../helpers/children.js';
import { tempDir } from '../../../helpers/tmp.js';
import { setWaitEnv } from '../../../helpers/wait-queue.js';

killChildrenAfter();

describe('kernel backend', { timeout: 60_000 }, () => {
  const dir = tempDir();

  it('waiting never occupies the threadpool: readFile completes while 16 waiters wait', async () => {
    // A blocking flock on libuv's threadpool would hold all 4 threads, and readFile would hang until the
    // locks are released; here they are never released before readFile has answered.
    const files = Array.from({ length: 16 }, (_, i) => path.join(dir, `pool-${i}`));
    const child = spawnChild('lock-worker.ts');
    await child.next('ready');
    child.send({ type: 'lockAll', paths: files, options: { backend: 'kernel' } });
    await child.next('locked');
    const controller = new AbortController();
    const waiters = files.map((f) =>
      lock(f, { backend: 'kernel', signal: controller.signal }).then(
        () => assert.fail('must not get the lock'),
        () => 'aborted',
      ),
    );
    const probe = path.join(dir, 'unrelated.txt');
    await writeFile(probe, 'hello');
    assert.equal(await readFile(probe, 'utf8'), 'hello');
    const stillHeld = await inspect(files[0]!, { backend: 'kernel' });
    assert.equal(stillHeld.holder?.pid, child.pid, 'the locks were still held while readFile ran');
    controller.abort();
    assert.deepEqual(new Set(await Promise.all(waiters)), new Set(['aborted']));
  });

  it('writes a holder record on acquire; where waiters poll, marks it free on release', async (t) => {
    setWaitEnv(t, 'LOCKSMITH_WAIT_THREADS', '0'); // waiters poll: the release's write is their wake-up
    const file = path.join(dir, 'record.json');
    const handle = await lock(file);
    const record = JSON.parse(readFileSync(`${file}.lock`, 'utf8'));
    assert.equal(record.state, 'held');
    assert.equal(record.pid, process.pid);
    assert.equal(record.mode, 'exclusive');
    await handle.release();
    const free = JSON.parse(readFileSync(`${file}.lock`, 'utf8'));
    assert.deepEqual(free, { ...record, state: 'free' }, 'the same record, marked free');
    // Another lock that records nothing (here a descriptor of this process) must not be reported as our
    // free record: the kernel names the process that holds it, without a time.
    const fd = openSync(`${file}.lock`, 'r');
    assert.equal(createPosixLock().tryLock(fd, 'exclusive'), 'held');
    const status = await inspect(file);
    assert.equal(status.locked, true);
    assert.equal(status.holder?.since, undefined, 'not the free record');
    assert.equal(status.holder?.pid, process.pid);
    closeSync(fd);
  });

  it('where waiters sleep in flock, the record stays; inspect asks the kernel who holds', async (t) => {
    if (!kernelWaitsAvailable()) return t.skip('waits cannot sleep in the kernel here');
    const file = path.join(dir, 'kept-record.json');
    const handle = await lock(file);
    const record = readFileSync(`${file}.lock`, 'utf8');
    await handle.release();
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), record, 'no write on release');
    assert.equal((await inspect(file)).locked, false);
    // A tool that records nothing (util-linux flock) holds it now: /proc/locks names another process.
    const child = await holdWithFlock(`${file}.lock`);
    const status = await inspect(file);
    assert.equal(status.locked, true);
    assert.equal(status.holder?.pid, child.pid, 'the kernel names flock, not the last holder');
    assert.equal(status.holder?.since, undefined);
    child.end();
    await child.exited;
    // A longer or shorter record of another process replaces ours whole.
    const other = spawnChild('lock-worker.ts');
    await other.next('ready', 60_000);
    other.send({ type: 'lock', path: file });
    await other.next('locked');
    assert.equal(JSON.parse(readFileSync(`${file}.lock`, 'utf8')).pid, other.pid);
    assert.equal((await inspect(file)).holder?.pid, other.pid);
    other.kill();
  });

  it('taking the lock again within the same second writes nothing; a change by someone else is seen', async () => {
    const file = path.join(dir, 'hot.json');
    const lockfile = `${file}.lock`;
    await (await lock(file)).release();
    // Two acquisitions within one second record the same bytes: the second must not write them again.
    let same = false;
    for (let i = 0; i < 100 && !same; i++) {
      const second = Math.floor(Date.now() / 1000);
      const before = statSync(lockfile, { bigint: true });
      await (await lock(file)).release();
      const after = statSync(lockfile, { bigint: true });
      if (Math.floor(Date.now() / 1000) !== second) continue;
      same = true;
      assert.equal(after.mtimeNs, before.mtimeNs, 'the lock file was written again');
    }
    assert.ok(same, 'never two acquisitions within one second');
    // Someone else's record (another length) lands between two acquisitions: ours is written over it.
    const ours = readFileSync(lockfile, 'utf8');
    const theirs = JSON.stringify({ ...JSON.parse(ours), pid: 1, command: 'another tool' });
    writeFileSync(lockfile, `${theirs}\n`);
    const handle = await lock(file);
    assert.equal(JSON.parse(readFileSync(lockfile, 'utf8')).pid, process.pid);
    await handle.release();
  });

  it('a lock file it created carries the record; the data file locked as its own lock file never does', async () => {
    const data = path.join(dir, 'data-file');
    writeFileSync(data, '');
    const handle = await lock(data, { lockfilePath: data });
    assert.equal(readFileSync(data, 'utf8'), '', "the caller's data file: no record");
    await handle.release();
    assert.equal(readFileSync(data, 'utf8'), '', 'as it was found');
    // One it created itself as the lock file of another path is a lock file: the record stays.
    const own = path.join(dir, 'own-lock-file');
    await (await lock(path.join(dir, 'own'), { lockfilePath: own })).release();
    assert.equal(JSON.parse(readFileSync(own, 'utf8')).pid, process.pid);
  });

  it('tolerates a lock file another tool truncated, and never overwrites content it did not write', async () => {
    const file = path.join(dir, 'garbage.json');
    // Python's filelock truncates the lock file: an empty file that may be anyone's gets no record; on
    // Linux the kernel names the holder.
    writeFileSync(`${file}.lock`, '');
    const handle = await lock(file);
    if (process.platform === 'linux') assert.equal((await inspect(file)).holder?.pid, process.pid);
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), '');
    await handle.release();
    // Someone's data (flock(1) users lock data and pid files directly) stays as it is.
    writeFileSync(`${file}.lock`, 'not json at all\n');
    const child = spawnChild('lock-worker.ts');
    await child.next('ready');
    child.send({ type: 'lock', path: file });
    await child.next('locked');
    const status = await inspect(file);
    assert.equal(status.locked, true);
    assert.equal(status.holder?.pid, child.pid, 'named by the kernel: its record could not be written');
    assert.equal(status.holder?.since, undefined);
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), 'not json at all\n');
    child.send({ type: 'release' });
    await child.next('released');
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), 'not json at all\n');
    child.kill();
  });

  it('the lock file removed under a holder: its signal aborts with LOCK_COMPROMISED', async () => {
    const file = path.join(dir, 'stolen.json');
    const handle = await lock(file);
    const aborted = new Promise<unknown>((resolve) =>
      handle.signal.addEventListener('abort', () => resolve(handle.signal.reason)),
    );
    assert.equal(handle.signal.aborted, false);
    await unlink(`${file}.lock`);
    const reason = await aborted;
    assert.ok(reason instanceof LockCompromisedError);
    assert.equal(reason.code, 'LOCK_COMPROMISED');
    await handle.release();
    // A new holder locks the new file; nothing stays wedged.
    const again = await tryLock(file);
    assert.ok(again);
    await again.release();
  });

  it('a lock file replaced under a holder is not handed to the next task of the process', async () => {
    const file = path.join(dir, 'handoff.json');
    const first = await lock(file);
    const second = lock(file, { timeout: 10_000 });
    // A third party replaces the lock file; nobody reads first.signal, so the loss is not observed.
    await unlink(`${file}.lock`);
    writeFileSync(`${file}.lock`, '');
    await first.release();
    const handle = await second;
    // The second task must hold the file that is there now: another process cannot take it.
    const child = spawnChild('lock-worker.ts');
    await child.next('ready', 60_000);
    child.send({ type: 'lock', path: file, options: { timeout: 0 } });
    const reply = await Promise.race([child.next('locked'), child.next('error')]);
    assert.equal(reply.type, 'error');
    assert.equal(reply.code, 'LOCK_TIMEOUT');
    await handle.release();
    child.kill();
  });

  it('removeOnRelease removes the lock file; the default keeps it', async () => {
    const kept = path.join(dir, 'kept.json');
    await (await lock(kept)).release();
    assert.ok(statSync(`${kept}.lock`).isFile());
    const removed = path.join(dir, 'removed.json');
    await (await lock(removed, { removeOnRelease: true })).release();
    assert.throws(() => statSync(`${removed}.lock`), { code: 'ENOENT' });
  });

  it('LOCK_DIRECTORY when the folder cannot be created (a parent is a file)', async () => {
    const blocker = path.join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    await assert.rejects(lock(path.join(blocker, 'sub', 'x.json')), { code: 'LOCK_DIRECTORY' });
    await assert.rejects(lock(path.join(blocker, 'x.json')), { code: 'LOCK_DIRECTORY' });
    rmSync(blocker);
  });
});
