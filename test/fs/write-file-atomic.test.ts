import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { removeStaleTemps, renameWithRetry } from '../../src/fs/write-file-atomic.js';
import { AtomicWriteError, AtomicWriteInvalidArgumentError, writeFileAtomic } from '../../src/index.js';
import { killChildrenAfter, spawnChild } from '../helpers/children.js';
import { caseFolders, tempDir } from '../helpers/tmp.js';

killChildrenAfter();

const root = tempDir();
const fresh = caseFolders(root);

/** A folder a non-root child can enter; the suite may run as root, whose permission checks never fail. */
function openFolder(): string {
  const dir = fresh();
  chmodSync(root, 0o755);
  chmodSync(dir, 0o777);
  return dir;
}

function errnoError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

describe('writeFileAtomic', { timeout: 60_000 }, () => {
  it('creates a new file with the umask applied to 0o666, and leaves no temp file', async () => {
    const dir = fresh();
    const file = path.join(dir, 'new.json');
    await writeFileAtomic(file, '{"a":1}\n');
    assert.equal(readFileSync(file, 'utf8'), '{"a":1}\n');
    const umask = process.umask();
    assert.equal(statSync(file).mode & 0o777, 0o666 & ~umask);
    assert.deepEqual(readdirSync(dir), ['new.json']);
  });

  it('replaces an existing file by rename (a new inode), keeping its mode', async () => {
    const dir = fresh();
    const file = path.join(dir, 'keep-mode.txt');
    writeFileSync(file, 'old');
    chmodSync(file, 0o640);
    const before = statSync(file);
    await writeFileAtomic(file, Buffer.from('new content'));
    const after = statSync(file);
    assert.equal(readFileSync(file, 'utf8'), 'new content');
    assert.equal(after.mode & 0o7777, 0o640);
    assert.notEqual(after.ino, before.ino, 'written in place instead of renamed');
    assert.deepEqual(readdirSync(dir), ['keep-mode.txt']);
  });

  it('keeps the owner of the file it replaces, when run as root', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('only root can give a file to another user');
    const file = path.join(fresh(), 'owned.json');
    writeFileSync(file, 'old');
    chownSync(file, 65534, 65534);
    await writeFileAtomic(file, 'new');
    const after = statSync(file);
    assert.deepEqual([after.uid, after.gid], [65534, 65534]);
    assert.equal(readFileSync(file, 'utf8'), 'new');
  });

  it('applies the mode option to a new file only', async () => {
    const dir = fresh();
    const file = path.join(dir, 'secret');
    await writeFileAtomic(file, 'x', { mode: 0o600 });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    chmodSync(file, 0o644);
    await writeFileAtomic(file, 'y', { mode: 0o600 });
    assert.equal(statSync(file).mode & 0o777, 0o644);
  });

  it('writes with durable: false too', async () => {
    const dir = fresh();
    const file = path.join(dir, 'fast.txt');
    await writeFileAtomic(file, 'quick', { durable: false });
    assert.equal(readFileSync(file, 'utf8'), 'quick');
    assert.deepEqual(readdirSync(dir), ['fast.txt']);
  });

  it('follows a symlink: the link stays a link and its target gets the content', async () => {
    const dir = fresh();
    const real = path.join(dir, 'real.yaml');
    const link = path.join(dir, 'link.yaml');
    writeFileSync(real, 'a: 1\n');
    symlinkSync(real, link);
    await writeFileAtomic(link, 'a: 2\n');
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readFileSync(real, 'utf8'), 'a: 2\n');
  });

  it('replaces a dangling symlink by the file, never creating the file it pointed to', async () => {
    const dir = fresh();
    const link = path.join(dir, 'dangling.json');
    const nowhere = path.join(dir, 'nowhere.json');
    symlinkSync(nowhere, link);
    await writeFileAtomic(link, '{}');
    assert.ok(lstatSync(link).isFile());
    assert.equal(readFileSync(link, 'utf8'), '{}');
    assert.equal(statSync(nowhere, { throwIfNoEntry: false }), undefined);
  });

  it('refuses a folder as target, leaving it as it was', async () => {
    const dir = fresh();
    const target = path.join(dir, 'folder');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'kept');
    await assert.rejects(writeFileAtomic(target, 'x'), (error: unknown) => {
      assert.ok(error instanceof AtomicWriteInvalidArgumentError);
      assert.equal(error.code, 'ATOMIC_WRITE_INVALID_ARGUMENT');
      assert.match(error.message, /is a folder/);
      return true;
    });
    assert.equal(readFileSync(path.join(target, 'inside'), 'utf8'), 'kept');
    assert.deepEqual(readdirSync(dir), ['folder']);
  });

  it('fails with the OS error when the folder is missing', async () => {
    const file = path.join(fresh(), 'missing', 'x.json');
    await assert.rejects(writeFileAtomic(file, 'x'), (error: unknown) => {
      assert.ok(error instanceof AtomicWriteError);
      assert.equal(error.code, 'ATOMIC_WRITE_IO');
      assert.equal(error.operation, 'create temp file');
      assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
      return true;
    });
  });

  it('rejects bad arguments with ATOMIC_WRITE_INVALID_ARGUMENT', async () => {
    const file = path.join(fresh(), 'x');
    for (const call of [
      () => writeFileAtomic('', 'x'),
      () => writeFileAtomic('a\0b', 'x'),
      () => writeFileAtomic(file, 42 as unknown as string),
      () => writeFileAtomic(file, 'x', { mode: -1 }),
      () => writeFileAtomic(file, 'x', { signal: {} as AbortSignal }),
    ]) {
      await assert.rejects(call(), AtomicWriteInvalidArgumentError);
    }
  });

  it('rejects with signal.reason when aborted, writing nothing', async () => {
    const dir = fresh();
    const file = path.join(dir, 'aborted.txt');
    writeFileSync(file, 'old');
    const reason = new Error('stop');
    await assert.rejects(
      writeFileAtomic(file, 'new', { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
    assert.equal(readFileSync(file, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir), ['aborted.txt']);
  });

  it('in a read-only folder: fails, and never falls back to writing the (writable) file in place', async () => {
    const dir = openFolder();
    const file = path.join(dir, 'config.json');
    writeFileSync(file, '{"old":true}\n');
    chmodSync(file, 0o666); // writable: a non-atomic fallback would succeed
    chmodSync(dir, 0o555);
    // As root, permission checks always pass: the child drops to nobody (uid 65534) first.
    const child = spawnChild('store-worker.ts', ['--as-nobody']);
    const ready = await child.next<{ uid: number }>('ready');
    assert.notEqual(ready.uid, 0, 'the child must not run as root');
    child.send({ type: 'write', file, data: '{"new":true}\n' });
    const error = await child.next<{ code: string; operation: string; cause: string }>('error');
    chmodSync(dir, 0o777);
    assert.equal(error.code, 'ATOMIC_WRITE_IO');
    assert.equal(error.operation, 'create temp file');
    assert.equal(error.cause, 'EACCES');
    assert.equal(readFileSync(file, 'utf8'), '{"old":true}\n');
    assert.deepEqual(readdirSync(dir), ['config.json']);
  });

  it('removes the temp file of a writer that crashed, never that of a live writer', async () => {
    const dir = openFolder();
    const file = path.join(dir, 'shared.json');
    writeFileSync(file, '"old"');
    const crashed = spawnChild('store-worker.ts');
    const live = spawnChild('store-worker.ts');
    await Promise.all([crashed.next('ready'), live.next('ready')]);
    crashed.send({ type: 'prepare', file, data: '"crashed"' });
    const { temps: crashedTemps } = await crashed.next<{ temps: string[] }>('prepared');
    live.send({ type: 'prepare', file, data: '"live"' });
    const { temps: liveTemps } = await live.next<{ temps: string[] }>('prepared');
    assert.equal(crashedTemps.length, 1);
    assert.equal(liveTemps.length, 1);
    crashed.kill('SIGKILL');
    await crashed.exited;
    // Another file's temps are not ours to judge.
    const otherTemp = `.other.json.${crashedTemps[0]!.split('.').at(-2)}.tmp`;
    writeFileSync(path.join(dir, otherTemp), '');

    await writeFileAtomic(file, '"mine"');
    const names = readdirSync(dir);
    assert.ok(!names.includes(crashedTemps[0]!), 'the crashed writer’s temp file is still there');
    assert.ok(names.includes(liveTemps[0]!), 'the live writer’s temp file was removed');
    assert.ok(names.includes(otherTemp));

    // The live writer finishes normally.
    live.send({ type: 'commit' });
    await live.next('commit:done');
    assert.equal(readFileSync(file, 'utf8'), '"live"');
    assert.deepEqual(await removeStaleTemps(dir, 'shared.json'), []);
  });

  it('keeps readers from ever seeing a partial file while writes race', async () => {
    const dir = fresh();
    const file = path.join(dir, 'race.json');
    const big = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(256 * 1024) });
    await writeFileAtomic(file, big(0));
    let stop = false;
    let reads = 0;
    const reader = (async () => {
      while (!stop) {
        const value = JSON.parse(readFileSync(file, 'utf8')) as { n: number };
        assert.equal(typeof value.n, 'number');
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => writeFileAtomic(file, big(i + 1), { durable: false })),
    );
    stop = true;
    await reader;
    assert.ok(reads > 0);
    assert.deepEqual(readdirSync(dir), ['race.json']);
  });
});

describe('renameWithRetry (Windows refuses renames while another process has the file open)', {
  timeout: 10_000,
}, () => {
  const retry = new Set(['EPERM', 'EBUSY', 'EACCES']);

  it('retries the listed codes until the rename goes through', async () => {
    let calls = 0;
    await renameWithRetry('a', 'b', retry, 2_000, async () => {
      calls++;
      if (calls < 4) throw errnoError(calls % 2 ? 'EPERM' : 'EBUSY');
    });
    assert.equal(calls, 4);
  });

  it('gives up with the last error once the budget is spent', async () => {
    let calls = 0;
    await assert.rejects(
      renameWithRetry('a', 'b', retry, 30, async () => {
        calls++;
        throw errnoError('EACCES');
      }),
      { code: 'EACCES' },
    );
    assert.ok(calls >= 2, `tried ${calls} times`);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    await assert.rejects(
      renameWithRetry('a', 'b', retry, 2_000, async () => {
        calls++;
        throw errnoError('EXDEV');
      }),
      { code: 'EXDEV' },
    );
    assert.equal(calls, 1);
  });
});
