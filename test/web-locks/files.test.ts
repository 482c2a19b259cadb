// The files behind a manager: one lock file per name (any string), and the query registry.
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLockManager, tryLock } from '../../src/index.js';
import { lockFileName } from '../../src/web-locks/lock-names.js';
import { waitFor } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';
import { gate } from '../helpers/web-locks.js';

describe('Web Locks: the files behind a manager', { timeout: 30_000 }, () => {
  const root = tempDir('locksmith-web-locks-files-');

  it('names are arbitrary strings: look-alike names are different locks, each with its own file', async () => {
    const locks = createLockManager({ dir: path.join(root, 'names') });
    const names = [
      'a/b',
      'a_b',
      'a\\b',
      '',
      ' ',
      'é',
      'e\u0301',
      '\uD800',
      '\uFFFD',
      'x'.repeat(5_000),
      '..',
    ];
    const g = gate();
    const held = names.map((name) => locks.request(name, () => g.promise));
    await waitFor(async () => (await locks.query()).held.length === names.length, 5_000, 'all held at once');
    const files = readdirSync(path.join(locks.folder, 'locks'));
    assert.equal(files.length, names.length);
    for (const file of files) assert.match(file, /^[A-Za-z0-9._-]{0,40}-?[0-9a-f]{32}\.lock$/);
    assert.deepEqual(
      new Set((await locks.query()).held.map((h) => h.name)),
      new Set(names),
      'query returns the names as given',
    );
    g.open();
    await Promise.all(held);
  });

  it('a registry that cannot be written when a lock is granted rejects the request, with the lock released', async () => {
    const dir = path.join(root, 'broken-registry');
    const locks = createLockManager({ dir });
    await locks.query(); // creates the folders, opens nothing
    rmSync(path.join(dir, 'clients'), { recursive: true });
    writeFileSync(path.join(dir, 'clients'), 'not a folder');
    let ran = false;
    await assert.rejects(
      locks.request('r', () => {
        ran = true;
      }),
      { code: 'WEB_LOCKS_REGISTRY', name: 'WebLocksRegistryError' },
    );
    assert.equal(ran, false);
    await assert.rejects(locks.query(), { code: 'WEB_LOCKS_REGISTRY' });
    await assert.rejects(createLockManager({ dir }).query(), { code: 'LOCK_DIRECTORY' });
    const handle = await tryLock(path.join(dir, 'locks', lockFileName('r')));
    assert.ok(handle, 'the lock was released');
    await handle.release();
  });
});
