import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openRegular, openRegularSync, readRegular } from '../../src/fs/open-regular.js';
import { resolveTrustedLinks, writableByOthers } from '../../src/fs/trusted-links.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('locksmith-open-regular-');
const isLinux = process.platform === 'linux';

/** The open flags of descriptor `fd` of this process, from /proc/self/fdinfo. */
function fdFlags(fd: number): number {
  const info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  return Number.parseInt(/flags:\s+([0-7]+)/.exec(info)![1]!, 8);
}

describe('openRegular', { timeout: 10_000 }, () => {
  it('a regular file: opened, and O_NONBLOCK cleared again (Linux)', {
    skip: isLinux ? false : 'reads /proc',
  }, async () => {
    const file = path.join(dir, 'plain.txt');
    fs.writeFileSync(file, 'hello');
    const handle = await openRegular(file, fs.constants.O_RDONLY);
    try {
      assert.equal(fdFlags(handle.fd) & fs.constants.O_NONBLOCK, 0);
      assert.equal((await handle.readFile()).toString(), 'hello');
    } finally {
      await handle.close();
    }
    const fd = openRegularSync(file, fs.constants.O_RDWR | fs.constants.O_APPEND);
    try {
      assert.equal(fdFlags(fd) & fs.constants.O_NONBLOCK, 0);
      assert.notEqual(fdFlags(fd) & fs.constants.O_APPEND, 0);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('a FIFO: FILE_NOT_REGULAR naming it, at once, for reading and writing, async and sync', async () => {
    const fifo = path.join(dir, 'pipe');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const refused = { code: 'FILE_NOT_REGULAR', kind: 'FIFO', path: fifo };
    await assert.rejects(readRegular(fifo), refused);
    await assert.rejects(openRegular(fifo, fs.constants.O_WRONLY), refused);
    assert.throws(() => openRegularSync(fifo, fs.constants.O_RDWR | fs.constants.O_CREAT), refused);
  });

  it('a symbolic link: FILE_UNSAFE unless noFollow is false; a hard link with singleLink: FILE_UNSAFE', async () => {
    const target = path.join(dir, 'target.txt');
    fs.writeFileSync(target, 't');
    const link = path.join(dir, 'link.txt');
    fs.symlinkSync(target, link);
    await assert.rejects(readRegular(link), { code: 'FILE_UNSAFE', reason: 'symlink' });
    assert.equal((await readRegular(link, { noFollow: false })).toString(), 't');
    const hard = path.join(dir, 'hard.txt');
    fs.linkSync(target, hard);
    await assert.rejects(readRegular(hard, { singleLink: true }), {
      code: 'FILE_UNSAFE',
      reason: 'hard link',
    });
  });

  it('a folder: the EISDIR its callers have always reported', async () => {
    await assert.rejects(readRegular(dir), { code: 'EISDIR' });
  });
});

describe('resolveTrustedLinks', { timeout: 10_000 }, () => {
  const uid = process.geteuid?.() ?? 0;
  const stats = (mode: number, owner: number) =>
    ({ mode: fs.constants.S_IFDIR | mode, uid: owner }) as fs.Stats;

  it('a folder is writable by others when group/world-writable, sticky, or another (non-root) user owns it', () => {
    assert.equal(writableByOthers(stats(0o755, uid), uid), false);
    assert.equal(writableByOthers(stats(0o755, 0), uid), false);
    assert.equal(writableByOthers(stats(0o775, uid), uid), true);
    assert.equal(writableByOthers(stats(0o1777, 0), uid), true);
    assert.equal(writableByOthers(stats(0o755, uid + 4242), uid), uid + 4242 !== 0);
  });

  it("follows the caller's own link in a shared folder; refuses another user's (root only)", () => {
    const shared = path.join(dir, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    const target = path.join(dir, 'real.json');
    fs.writeFileSync(target, '{}');
    const own = path.join(shared, 'own.json');
    fs.symlinkSync(target, own);
    assert.equal(resolveTrustedLinks(own), fs.realpathSync(target));
    if (uid !== 0) return;
    const planted = path.join(shared, 'planted.json');
    fs.symlinkSync(target, planted);
    fs.lchownSync(planted, 12345, 12345);
    assert.throws(() => resolveTrustedLinks(planted), {
      code: 'FILE_UNSAFE',
      reason: 'symlink',
      path: planted,
    });
    // The missing part of a path is kept as it is.
    assert.equal(
      resolveTrustedLinks(path.join(shared, 'new', 'x.json')),
      path.join(fs.realpathSync(shared), 'new', 'x.json'),
    );
  });
});
