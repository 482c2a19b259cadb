// Lock files that are not what locksmith would create: a symlink planted in a shared folder, and a file
// with someone else's content. Neither may cost anyone a byte.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect, LocksmithError, lock, tryLock } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';

describe('lock files that point elsewhere or hold data', { timeout: 30_000 }, () => {
  const dir = tempDir('locksmith-bad-input-');
  const shared = path.join(dir, 'shared');
  const home = path.join(dir, 'home');
  fs.mkdirSync(shared);
  fs.mkdirSync(home);

  it('a symlinked lock file is refused with LOCK_INVALID_ARGUMENT; its target is untouched', async () => {
    const target = path.join(home, 'notes.txt');
    fs.writeFileSync(target, 'my notes\n');
    fs.symlinkSync(target, path.join(shared, 'tasks.json.lock'));
    for (const attempt of [
      () => lock(path.join(shared, 'tasks.json')),
      () => tryLock(path.join(shared, 'tasks.json'), { shared: true }),
      () => inspect(path.join(shared, 'tasks.json')),
    ]) {
      await assert.rejects(attempt(), (error: LocksmithError) => {
        assert.ok(error instanceof LocksmithError);
        assert.equal(error.code, 'LOCK_INVALID_ARGUMENT');
        assert.match(error.message, /symbolic link/);
        return true;
      });
      assert.equal(fs.readFileSync(target, 'utf8'), 'my notes\n');
    }
    assert.ok(
      fs.lstatSync(path.join(shared, 'tasks.json.lock')).isSymbolicLink(),
      'the symlink is left alone',
    );
  });

  it('a dangling symlink does not create its target', async () => {
    const target = path.join(home, 'created-by-someone-else');
    fs.symlinkSync(target, path.join(shared, 'cache.db.lock'));
    await assert.rejects(lock(path.join(shared, 'cache.db'), { timeout: 0 }), {
      code: 'LOCK_INVALID_ARGUMENT',
    });
    assert.equal(fs.existsSync(target), false);
  });

  it("a lock file with someone else's content (flock(1) style: the data file itself) is locked, not overwritten", async () => {
    const data = path.join(dir, 'config.yaml');
    const content = 'feeds:\n  - https://example.org/feed\n';
    fs.writeFileSync(data, content);
    const handle = await lock(path.join(dir, 'ignored'), { lockfilePath: data });
    assert.equal(fs.readFileSync(data, 'utf8'), content, 'acquiring must not write into the file');
    const status = await inspect(path.join(dir, 'ignored'), { lockfilePath: data });
    assert.equal(status.locked, true);
    if (process.platform === 'linux') {
      // No record could be written; the kernel's table of locks names the holder, without a time.
      assert.equal(status.holder?.pid, process.pid);
      assert.equal(status.holder?.since, undefined);
    } else {
      assert.equal(status.holder, undefined);
    }
    await handle.release();
    assert.equal(fs.readFileSync(data, 'utf8'), content, 'releasing must not truncate the file');

    // A pid written by a shell script under flock(1) survives as well.
    const pidfile = path.join(dir, 'job.lock');
    fs.writeFileSync(pidfile, '4242\n');
    await (await lock(path.join(dir, 'job'))).release();
    assert.equal(fs.readFileSync(pidfile, 'utf8'), '4242\n');
  });

  it('a lock file of its own still carries the holder record, and is cleared on release', async () => {
    const file = path.join(dir, 'tasks.json');
    const handle = await lock(file);
    assert.equal((await inspect(file)).holder?.pid, process.pid);
    await handle.release();
    assert.equal((await inspect(file)).holder, undefined, 'the record is cleared on release');
    const again = await lock(file);
    assert.equal((await inspect(file)).holder?.pid, process.pid, 'and written again by the next holder');
    await again.release();
  });
});
