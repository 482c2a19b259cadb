// Backends of names (Backend.keyFor): the core uses their key and leaves the file system alone.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveLock } from '../../src/lock/options.js';
import { postgresBackend } from '../../src/postgres/index.js';
import { tempDir } from '../helpers/tmp.js';

describe('resolveLock with a backend that has keyFor', { timeout: 10_000 }, () => {
  const dir = tempDir();
  // keyFor needs no server: nothing here connects.
  const backend = postgresBackend({
    connectionString: 'postgres://nobody@127.0.0.1:1/none',
    namespace: 'ns',
  });

  it('uses the key of the name as given, not an absolute path + ".lock"', () => {
    const request = resolveLock('shots/042.exr', { backend });
    assert.equal(request.path, 'shots/042.exr');
    assert.equal(request.lockfilePath, 'postgres:ns:shots/042.exr');
  });

  it('skips the folder check and creates nothing', () => {
    const request = resolveLock(dir, { backend });
    assert.equal(request.lockfilePath, `postgres:ns:${dir}`);
    const missing = path.join(dir, 'no', 'such', 'folder');
    resolveLock(missing, { backend });
    assert.equal(existsSync(path.join(dir, 'no')), false);
  });

  it('passes lockfilePath to keyFor as the name to lock', () => {
    assert.equal(resolveLock('x', { backend, lockfilePath: 'y' }).lockfilePath, 'postgres:ns:y');
  });

  it('still rejects empty names and NUL bytes', () => {
    assert.throws(() => resolveLock('', { backend }), { code: 'LOCK_INVALID_ARGUMENT' });
    assert.throws(() => resolveLock('a\0b', { backend }), { code: 'LOCK_INVALID_ARGUMENT' });
    assert.throws(() => resolveLock('a', { backend, lockfilePath: '' }), { code: 'LOCK_INVALID_ARGUMENT' });
  });

  it('a backend without keyFor keeps path + ".lock"', () => {
    const file = path.join(dir, 'f.json');
    assert.equal(resolveLock(file, { backend: 'kernel' }).lockfilePath, `${file}.lock`);
  });
});
