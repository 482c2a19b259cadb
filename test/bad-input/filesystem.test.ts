// Folders and filesystems that refuse writes: a folder without write permission (checked by a child that
// is not root, since root ignores permissions) and a read-only mount (a tmpfs remounted read-only, which
// needs root). Each failure is a typed LOCK_DIRECTORY error; a lock file that already exists can still be
// locked (flock needs no write access), and nothing on disk changes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { LockDirectoryError, type LocksmithError, lock, tryLock } from '../../src/index.js';
import { killChildrenAfter, spawnChild } from '../helpers/children.js';
import { unprivilegedUnavailable } from '../helpers/unprivileged.js';

interface Attempt {
  ok: boolean;
  code?: string;
  message?: string;
  directory?: string;
}

const posix = typeof process.getuid === 'function';

describe('a folder without write permission', {
  timeout: 60_000,
  skip: posix ? unprivilegedUnavailable() : 'needs POSIX permissions',
}, () => {
  killChildrenAfter();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'locksmith-perm-'));
  // The child (nobody, when we are root) must be able to reach the folder.
  fs.chmodSync(dir, 0o755);
  const locked = path.join(dir, 'readonly');
  fs.mkdirSync(locked);
  fs.writeFileSync(path.join(locked, 'data.json'), '{"keep": true}\n');
  fs.writeFileSync(path.join(locked, 'existing.json.lock'), '');
  fs.chmodSync(path.join(locked, 'existing.json.lock'), 0o444);
  fs.chmodSync(locked, 0o555);
  after(() => {
    fs.chmodSync(locked, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const attempt = async (target: string): Promise<Attempt> => {
    const child = spawnChild('unprivileged.ts');
    const { uid } = await child.next<{ uid: number }>('ready');
    assert.notEqual(uid, 0, 'the child must not be root');
    child.send({ type: 'attempt', path: target });
    return child.next<Attempt>('result');
  };

  it('a new lock file there: LOCK_DIRECTORY naming the folder; a missing subfolder: the same', async () => {
    const before = fs.readdirSync(locked).sort();
    const result = await attempt(path.join(locked, 'data.json'));
    assert.equal(result.ok, false);
    assert.equal(result.code, 'LOCK_DIRECTORY', result.message);
    assert.equal(result.directory, locked);
    assert.match(result.message!, /EACCES/);

    const nested = await attempt(path.join(locked, 'sub', 'tasks.json'));
    assert.equal(nested.code, 'LOCK_DIRECTORY', nested.message);
    assert.equal(nested.directory, path.join(locked, 'sub'));
    assert.match(nested.message!, /EACCES/);
    assert.deepEqual(fs.readdirSync(locked).sort(), before, 'nothing created');
    assert.equal(fs.readFileSync(path.join(locked, 'data.json'), 'utf8'), '{"keep": true}\n');
  });

  it('an existing lock file we may not write: locked all the same, and left as it was', async () => {
    const result = await attempt(path.join(locked, 'existing.json'));
    assert.equal(result.ok, true, result.message);
    assert.equal(fs.readFileSync(path.join(locked, 'existing.json.lock'), 'utf8'), '');
  });
});

// A tmpfs of our own, remounted read-only. Needs root (or CAP_SYS_ADMIN); skipped with the reason otherwise.
function mountReadOnly(): { dir: string; unavailable?: string } {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'locksmith-rofs-'));
  const run = (args: string[]) => spawnSync('mount', args, { encoding: 'utf8' });
  const mounted = run(['-t', 'tmpfs', '-o', 'size=1m,mode=755', 'locksmith-test', dir]);
  if (mounted.status !== 0) {
    fs.rmdirSync(dir);
    return {
      dir,
      unavailable: `cannot mount a tmpfs here: ${(mounted.error?.message ?? mounted.stderr).trim()}`,
    };
  }
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'app', 'config.json'), '{"keep": true}\n');
  fs.writeFileSync(path.join(dir, 'app', 'existing.json.lock'), '');
  const remounted = run(['-o', 'remount,ro', dir]);
  if (remounted.status !== 0) {
    spawnSync('umount', [dir]);
    fs.rmdirSync(dir);
    return { dir, unavailable: `cannot remount read-only: ${remounted.stderr.trim()}` };
  }
  return { dir };
}

const readOnly =
  process.platform === 'linux' ? mountReadOnly() : { dir: '', unavailable: 'needs Linux mounts' };
if (!readOnly.unavailable) {
  after(() => {
    // Lazy: the lock core keeps idle descriptors of lock files open for reuse.
    spawnSync('umount', ['-l', readOnly.dir]);
    fs.rmdirSync(readOnly.dir);
  });
}

describe('a read-only filesystem', { timeout: 60_000, skip: readOnly.unavailable ?? false }, () => {
  killChildrenAfter();
  const app = path.join(readOnly.dir, 'app');

  it('a new lock file or a new folder: LOCK_DIRECTORY, with EROFS as the cause', async () => {
    for (const target of [path.join(app, 'config.json'), path.join(app, 'new', 'x.json')]) {
      await assert.rejects(lock(target, { timeout: 0 }), (error: LocksmithError) => {
        assert.ok(error instanceof LockDirectoryError, String(error));
        assert.equal(error.code, 'LOCK_DIRECTORY');
        assert.equal(error.directory, path.dirname(target));
        assert.equal((error.cause as NodeJS.ErrnoException).code, 'EROFS', error.message);
        return true;
      });
    }
    assert.deepEqual(fs.readdirSync(app).sort(), ['config.json', 'existing.json.lock']);
    assert.equal(fs.readFileSync(path.join(app, 'config.json'), 'utf8'), '{"keep": true}\n');
  });

  it('an existing lock file: locked, and it excludes another process', async () => {
    const target = path.join(app, 'existing.json');
    const child = spawnChild('lock-worker.ts');
    await child.next('ready');
    child.send({ type: 'lock', path: target });
    await child.next('locked');
    assert.equal(await tryLock(target), undefined, 'held by the child');
    child.send({ type: 'release' });
    await child.next('released');
    const handle = await lock(target, { timeout: 10_000, removeOnRelease: true });
    await handle.release(); // removal fails on a read-only mount; the release must not
    assert.ok(fs.existsSync(`${target}.lock`));
  });
});
