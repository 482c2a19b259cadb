// A file that holds someone else's data, used as its own lock file (util-linux flock style, `lockfilePath`
// or `locksmith run --lockfile`): locksmith locks it and never writes, truncates or removes it. The holder
// record goes only into lock files that are locksmith's beyond doubt (issue 18, rows 1 and 2).
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { inspect, lock } from '../../src/index.js';
import { queueWaitsAvailable } from '../../src/lock/backends/kernel/wait/index.js';
import { runCli } from '../helpers/cli.js';
import { caseFolders } from '../helpers/tmp.js';
import { setWaitEnv } from '../helpers/wait-queue.js';

const kernel = { backend: 'kernel' } as const;

/** Both release paths: waiters sleeping in the wait queue (no write on release), and waiters polling (a write). */
const MODES = [
  { name: 'waits sleep in the wait queue', wait: undefined },
  { name: 'waiters poll', wait: 'poll' },
] as const;

function useMode(t: TestContext, wait: string | undefined): boolean {
  if (wait === undefined) return queueWaitsAvailable();
  setWaitEnv(t, 'LOCKSMITH_WAIT', 'poll');
  return true;
}

describe('a data file used as its own lock file keeps every byte', { timeout: 60_000 }, () => {
  const folder = caseFolders();

  for (const mode of MODES) {
    it(`lock(p, { lockfilePath: p }) on an empty file, then an append: the data stays (${mode.name})`, async (t) => {
      if (!useMode(t, mode.wait)) return t.skip('waits cannot sleep in the wait queue here');
      const data = path.join(folder(), 'data.txt');
      writeFileSync(data, '');
      const handle = await lock(data, { ...kernel, lockfilePath: data });
      assert.equal(readFileSync(data, 'utf8'), '', 'nothing is written into it while held');
      appendFileSync(data, 'important result\n');
      await handle.release();
      assert.equal(readFileSync(data, 'utf8'), 'important result\n');
    });

    it(`a data file that did not exist is created empty, and stays the caller's (${mode.name})`, async (t) => {
      if (!useMode(t, mode.wait)) return t.skip('waits cannot sleep in the wait queue here');
      const data = path.join(folder(), 'new.txt');
      const handle = await lock(data, { ...kernel, lockfilePath: data });
      assert.equal(readFileSync(data, 'utf8'), '', 'no record in the data file');
      appendFileSync(data, 'line 1\n');
      await handle.release();
      // Taken again: still nothing of ours goes in.
      const again = await lock(data, { ...kernel, lockfilePath: data });
      appendFileSync(data, 'line 2\n');
      await again.release();
      assert.equal(readFileSync(data, 'utf8'), 'line 1\nline 2\n');
    });

    it(`a JSON file with pid, hostname and since fields is not taken for a record (${mode.name})`, async (t) => {
      if (!useMode(t, mode.wait)) return t.skip('waits cannot sleep in the wait queue here');
      const dir = folder();
      const status = path.join(dir, 'status.json');
      const content =
        '{"pid": 4242, "hostname": "web1", "since": "2026-11-23T12:03:01.000Z", "port": 8080}\n';
      // Even one in locksmith's own spelling but with a field locksmith never writes is someone's data.
      const lookalike = path.join(dir, 'lookalike.json');
      const similar =
        '{"state":"held","pid":4242,"hostname":"web1","command":"x","since":"2026-11-23T12:03:01.000Z","port":8080}\n';
      writeFileSync(status, content);
      writeFileSync(lookalike, similar);
      for (const [file, bytes] of [
        [status, content],
        [lookalike, similar],
      ] as const) {
        for (const target of [file, path.join(dir, 'service')]) {
          const handle = await lock(target, { ...kernel, lockfilePath: file });
          assert.equal(readFileSync(file, 'utf8'), bytes, 'untouched while held');
          const seen = await inspect(target, { ...kernel, lockfilePath: file });
          assert.equal(seen.locked, true);
          assert.notEqual(seen.holder?.pid, 4242, 'the data is not read as a holder');
          if (process.platform === 'linux')
            assert.equal(seen.holder?.pid, process.pid, 'named by the kernel');
          await handle.release();
          assert.equal(readFileSync(file, 'utf8'), bytes, 'untouched after release');
        }
      }
    });
  }

  it('an empty file locksmith did not create gets no record; the kernel names the holder', async () => {
    const file = path.join(folder(), 'tasks.json');
    writeFileSync(`${file}.lock`, ''); // made by another tool (util-linux flock creates them empty)
    const handle = await lock(file, kernel);
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), '');
    if (process.platform === 'linux') {
      const status = await inspect(file, kernel);
      assert.equal(status.holder?.pid, process.pid);
      assert.equal(status.holder?.since, undefined, 'known from the kernel, not from a record');
    }
    await handle.release();
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), '');
  });

  it('a lock file locksmith created for another path carries the record', async () => {
    const dir = folder();
    const file = path.join(dir, 'tasks.json');
    const handle = await lock(file, { ...kernel, lockfilePath: path.join(dir, 'tasks.lck') });
    const record = JSON.parse(readFileSync(path.join(dir, 'tasks.lck'), 'utf8')) as { pid: number };
    assert.equal(record.pid, process.pid);
    assert.equal(
      (await inspect(file, { ...kernel, lockfilePath: path.join(dir, 'tasks.lck') })).holder?.since instanceof
        Date,
      true,
    );
    await handle.release();
  });

  it('removeOnRelease never removes a lock file holding data; on the data file itself it is refused', async () => {
    const dir = folder();
    const data = path.join(dir, 'config.yaml');
    writeFileSync(data, 'port: 8080\n');
    await (
      await lock(path.join(dir, 'svc'), { ...kernel, lockfilePath: data, removeOnRelease: true })
    ).release();
    assert.equal(readFileSync(data, 'utf8'), 'port: 8080\n');
    await assert.rejects(lock(data, { ...kernel, lockfilePath: data, removeOnRelease: true }), {
      code: 'LOCK_INVALID_ARGUMENT',
      message: /would delete/,
    });
    assert.equal(readFileSync(data, 'utf8'), 'port: 8080\n');
    // A lock file of locksmith's own is still removed.
    const own = path.join(dir, 'own.json');
    await (await lock(own, { ...kernel, removeOnRelease: true })).release();
    assert.equal(existsSync(`${own}.lock`), false);
  });

  it('locksmith run --lockfile data.txt: what the command writes is there after release', async () => {
    const dir = folder();
    for (const redirect of ['>', '>>']) {
      const data = path.join(dir, `data${redirect.length}.txt`);
      writeFileSync(data, '');
      const result = await runCli(
        ['run', '--lockfile', data, '--', 'sh', '-c', `echo "important result" ${redirect} "$0"`, data],
        { timeout: 60_000 },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(readFileSync(data, 'utf8'), 'important result\n', `with ${redirect}`);
    }
    // And a status file with its own JSON keeps all its bytes.
    const status = path.join(dir, 'status.json');
    const content = '{"pid": 4242, "hostname": "web1", "since": "2026-11-23T12:03:01.000Z", "port": 8080}\n';
    writeFileSync(status, content);
    const before = statSync(status).mtimeMs;
    const result = await runCli(['run', '--lockfile', status, '--', 'true'], { timeout: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(status, 'utf8'), content);
    assert.equal(statSync(status).mtimeMs, before, 'not even rewritten with the same bytes');
  });
});
