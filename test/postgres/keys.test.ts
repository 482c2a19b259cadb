// Lock names and keys of the postgres backend, without a server.
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { postgresBackend } from '../../src/postgres/index.js';
import { checkRoot, keyOf, lockNumber, nameUnder } from '../../src/postgres/keys.js';
import { tempDir } from '../helpers/tmp.js';

describe('postgres keys: the shared root', () => {
  const dir = realpathSync(tempDir());

  it('an absolute path inside the root is named by its /-separated path relative to it', () => {
    const roots = checkRoot(path.join(dir, 'share'));
    assert.equal(nameUnder(roots, path.join(dir, 'share', 'x.json')), 'x.json');
    assert.equal(nameUnder(roots, path.join(dir, 'share', 'deep', 'er', 'y.json')), 'deep/er/y.json');
    assert.equal(nameUnder(roots, path.join(dir, 'share', 'a', '..', 'z.json')), 'z.json');
    assert.equal(
      nameUnder(roots, path.join(dir, 'share', '..foo')),
      '..foo',
      'a name starting with dots is inside',
    );
    assert.equal(nameUnder(roots, path.join(dir, 'share')), '.', 'the root itself');
  });

  it('paths outside the root, and relative names, are kept as given', () => {
    const roots = checkRoot(path.join(dir, 'share'));
    const outside = path.join(dir, 'share-2', 'x.json');
    assert.equal(nameUnder(roots, outside), outside);
    assert.equal(nameUnder(roots, path.join(dir, 'x.json')), path.join(dir, 'x.json'));
    assert.equal(nameUnder(roots, 'shots/042.exr'), 'shots/042.exr');
    assert.equal(nameUnder([], path.join(dir, 'share', 'x.json')), path.join(dir, 'share', 'x.json'));
  });

  it('two mounts of one share at different paths give the same keys', () => {
    const a = postgresBackend({ connectionString: 'postgres://h/db', root: path.join(dir, 'mnt-a') });
    const b = postgresBackend({ connectionString: 'postgres://h/db', root: path.join(dir, 'srv', 'share') });
    const keyA = a.keyFor(path.join(dir, 'mnt-a', 'designs', 'x.json'), undefined);
    const keyB = b.keyFor(path.join(dir, 'srv', 'share', 'designs', 'x.json'), undefined);
    assert.equal(keyA, keyOf('locksmith', 'designs/x.json'));
    assert.equal(keyA, keyB);
    assert.equal(lockNumber(keyA), lockNumber(keyB));
    // lockfilePath names the lock when given, under the same rule.
    assert.equal(a.keyFor('ignored', path.join(dir, 'mnt-a', 'x.lock')), keyOf('locksmith', 'x.lock'));
    // Without a root, the absolute path is the name, as before.
    const plain = postgresBackend({ connectionString: 'postgres://h/db' });
    const file = path.join(dir, 'mnt-a', 'x.json');
    assert.equal(plain.keyFor(file, undefined), keyOf('locksmith', file));
    assert.equal(plain.root, undefined);
  });

  it('the root is resolved through symbolic links, and known by its given path too', () => {
    const real = path.join(dir, 'real-share');
    mkdirSync(path.join(real, 'sub'), { recursive: true });
    const link = path.join(dir, 'link-share');
    symlinkSync(real, link);
    const backend = postgresBackend({ connectionString: 'postgres://h/db', root: link });
    assert.equal(backend.root, real);
    const key = keyOf('locksmith', 'sub/x.json');
    assert.equal(
      backend.keyFor(path.join(real, 'sub', 'x.json'), undefined),
      key,
      'a real path (the store locks those)',
    );
    assert.equal(backend.keyFor(path.join(link, 'sub', 'x.json'), undefined), key, 'the path as given');
  });

  it('a root that does not exist (yet) is used as given; a bad one is LOCK_INVALID_ARGUMENT', () => {
    const missing = path.join(dir, 'not-mounted');
    const backend = postgresBackend({ connectionString: 'postgres://h/db', root: missing });
    assert.equal(backend.root, missing);
    assert.equal(backend.keyFor(path.join(missing, 'x'), undefined), keyOf('locksmith', 'x'));
    for (const root of ['', 'a\0b', 42]) {
      assert.throws(
        () => postgresBackend({ connectionString: 'postgres://h/db', root: root as string }),
        { code: 'LOCK_INVALID_ARGUMENT' },
        JSON.stringify(root),
      );
    }
  });
});
