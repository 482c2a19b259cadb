import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLockManager, LockDirectoryError } from '../../src/index.js';
import { setFilesystemProbe } from '../../src/lock/backends/select.js';
import { defaultFolder, prepareFolder } from '../../src/web-locks/folder.js';
import { tempDir } from '../helpers/tmp.js';

const posix = process.getuid !== undefined;

describe('the Web Locks folder', { timeout: 10_000 }, () => {
  const root = tempDir('locksmith-web-locks-folder-');

  it('defaults to $XDG_RUNTIME_DIR when it exists, else a per-user folder in the temp folder', () => {
    const saved = process.env.XDG_RUNTIME_DIR;
    try {
      process.env.XDG_RUNTIME_DIR = root;
      assert.equal(defaultFolder(), path.join(root, 'locksmith-web-locks'));
      process.env.XDG_RUNTIME_DIR = path.join(root, 'missing');
      assert.equal(path.dirname(defaultFolder()), os.tmpdir());
      delete process.env.XDG_RUNTIME_DIR;
      assert.match(path.basename(defaultFolder()), /^locksmith-web-locks-.+$/);
      assert.equal(createLockManager().folder, defaultFolder());
    } finally {
      if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = saved;
    }
  });

  it('is created with mode 0700, with its parents, on the first request', { skip: !posix }, async () => {
    const dir = path.join(root, 'a', 'b');
    const locks = createLockManager({ dir });
    assert.equal(statSync(path.join(root, 'a'), { throwIfNoEntry: false }), undefined, 'nothing before use');
    assert.equal(await locks.request('x', () => 'ok'), 'ok');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(path.join(dir, 'locks')).mode & 0o777, 0o700);
  });

  it('refuses a default folder that others may enter, or a symlink', { skip: !posix }, async () => {
    const open = path.join(root, 'open');
    mkdirSync(open, { mode: 0o755 });
    chmodSync(open, 0o755);
    assert.throws(
      () => prepareFolder(open, true),
      (error) => {
        assert.ok(error instanceof LockDirectoryError);
        assert.equal(error.code, 'LOCK_DIRECTORY');
        assert.match(error.message, /mode 755/);
        return true;
      },
    );
    prepareFolder(open, false); // a folder the caller chose is the caller's business
    const link = path.join(root, 'link');
    const target = path.join(root, 'private');
    mkdirSync(target, { mode: 0o700 });
    symlinkSync(target, link);
    assert.throws(() => prepareFolder(link, true), LockDirectoryError);
    prepareFolder(target, true);
  });

  it('refuses a folder where flock cannot be trusted (here a simulated NFS mount) with LOCK_UNSUPPORTED', async () => {
    const dir = path.join(root, 'nfs');
    setFilesystemProbe(() => ({ type: 'nfs4', options: ['rw', 'local_lock=all'], mountPoint: dir }));
    try {
      const locks = createLockManager({ dir });
      await assert.rejects(
        locks.request('x', () => 1),
        (error) => {
          assert.equal((error as { code?: string }).code, 'LOCK_UNSUPPORTED');
          assert.match((error as Error).message, /lease backend .*local_lock=all/);
          return true;
        },
      );
    } finally {
      setFilesystemProbe();
    }
  });

  it('rejects requests and queries with LOCK_DIRECTORY when the folder cannot be created', async () => {
    const file = path.join(root, 'file');
    writeFileSync(file, '');
    const locks = createLockManager({ dir: path.join(file, 'sub') });
    await assert.rejects(
      locks.request('x', () => 1),
      { code: 'LOCK_DIRECTORY' },
    );
    await assert.rejects(locks.query(), { code: 'LOCK_DIRECTORY' });
  });
});
