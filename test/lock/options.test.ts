import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect, lock, lockAll, tryLock } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';

describe('argument checks', { timeout: 10_000 }, () => {
  const dir = tempDir();
  const invalid = { code: 'LOCK_INVALID_ARGUMENT' };

  it('rejects empty paths, NUL bytes and non-strings', async () => {
    await assert.rejects(lock(''), invalid);
    await assert.rejects(lock('a\0b'), invalid);
    await assert.rejects(lock(undefined as unknown as string), invalid);
    await assert.rejects(tryLock('x', { lockfilePath: '' }), invalid);
    await assert.rejects(inspect('bad\0'), invalid);
  });

  it('rejects a folder as path, and a lock file path that is a folder', async () => {
    await assert.rejects(lock(dir), invalid);
    const folder = path.join(dir, 'sub.lock');
    mkdirSync(folder);
    await assert.rejects(lock(path.join(dir, 'sub')), invalid);
  });

  it('rejects negative, NaN and non-number timeouts', async () => {
    const file = path.join(dir, 'f');
    await assert.rejects(lock(file, { timeout: -1 }), invalid);
    await assert.rejects(lock(file, { timeout: Number.NaN }), invalid);
    await assert.rejects(lock(file, { timeout: '5' as unknown as number }), invalid);
  });

  it('rejects unknown backends, also from LOCKSMITH_BACKEND', async () => {
    const file = path.join(dir, 'g');
    await assert.rejects(lock(file, { backend: 'nope' as 'kernel' }), invalid);
    process.env.LOCKSMITH_BACKEND = 'bogus';
    try {
      await assert.rejects(lock(file), invalid);
    } finally {
      delete process.env.LOCKSMITH_BACKEND;
    }
  });

  it('rejects a lockAll entry with neither path nor lockfilePath', async () => {
    await assert.rejects(lockAll([{}]), invalid);
  });

  it('rejects a signal that is not an AbortSignal', async () => {
    await assert.rejects(lock(path.join(dir, 'h'), { signal: {} as AbortSignal }), invalid);
  });
});

describe('relative paths', { timeout: 10_000 }, () => {
  const dir = tempDir();

  it('resolve against the working folder of the moment, also for a path locked before', async () => {
    const before = process.cwd();
    const [a, b] = [path.join(dir, 'a'), path.join(dir, 'b')];
    mkdirSync(a);
    mkdirSync(b);
    try {
      process.chdir(a);
      const first = await lock('same.json');
      assert.equal(first.lockfilePath, path.join(a, 'same.json.lock'));
      await first.release();
      process.chdir(b);
      const second = await lock('same.json');
      assert.equal(second.lockfilePath, path.join(b, 'same.json.lock'), 'not the path resolved in a');
      await second.release();
    } finally {
      process.chdir(before);
    }
  });
});
