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

  it('a lock file of its own still carries the holder record, and is cleared on release', async () => {
    const file = path.join(dir, 'tasks.json');
    const handle = await lock(file);
    assert.equal((await inspect(file)).holder?.pid, process.pid);
    await handle.release();
    assert.equal(fs.readFileSync(`${file}.lock`, 'utf8'), '');
  });
});
