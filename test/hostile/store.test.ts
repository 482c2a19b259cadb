// Issue 17 rows 2 and 4, for the store and writeFileAtomic: a FIFO, a socket, a folder, a symlink (to a
// victim's file, and dangling), a hard link to a victim's file, a mode-000 file planted by another user
// as the store file in a shared sticky folder. Each call ends at once with a typed error (or succeeds
// where that is harmless), the event loop keeps running, the victim is untouched, no temp file is left.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../src/index.js';
import { killChildrenAfter } from '../helpers/children.js';
import { callOnPlanted, isRoot, type Kind, PLANTABLE, plant, RUNNERS, scene } from './plant.js';

killChildrenAfter();

type Op = 'store.read' | 'store.update' | 'writeFileAtomic';

/** What each call must end with, per planted thing. Root may read and replace a mode-000 file; others may not. */
function expected(op: Op, kind: Kind, root: boolean): string {
  switch (kind) {
    case 'fifo':
    case 'socket':
      return 'FILE_NOT_REGULAR';
    case 'folder':
      return {
        'store.read': 'STORE_IO',
        'store.update': 'LOCK_INVALID_ARGUMENT',
        writeFileAtomic: 'ATOMIC_WRITE_INVALID_ARGUMENT',
      }[op];
    case 'symlink':
    case 'dangling':
      return 'FILE_UNSAFE';
    case 'hardlink':
      // Read: the victim's own content, to its own owner. Written: replaced by a rename, the victim kept.
      return 'ok';
    case 'mode000':
      if (root) return 'ok';
      // In a sticky folder another user's file can be neither read nor replaced.
      return { 'store.read': 'STORE_IO', 'store.update': 'STORE_IO', writeFileAtomic: 'ATOMIC_WRITE_IO' }[op];
  }
}

describe('hostile shared folder: the store file and atomic writes', { timeout: 300_000 }, () => {
  for (const runner of RUNNERS) {
    for (const op of ['store.read', 'store.update', 'writeFileAtomic'] as const) {
      it(`${runner.name}: ${op} of each planted thing ends at once, typed; victim untouched, no temp left`, {
        skip: runner.skip,
      }, async () => {
        for (const kind of PLANTABLE) {
          await callOnPlanted(runner.uid, kind, {
            setUp: (s) => {
              const file = path.join(s.shared, 'cfg.json');
              return { at: file, args: { file } };
            },
            op,
            expected: expected(op, kind, runner.uid === 0),
            what: `${op} of a ${kind}`,
          });
        }
      });
    }
  }

  it('a FIFO as the store file: the error names the path and what it is, and the lock is released', async () => {
    const s = scene(process.getuid?.() ?? 0);
    const file = path.join(s.shared, 'cfg.json');
    plant('fifo', file, s);
    const store = openStore<Record<string, unknown>>(file, { defaults: {}, timeout: 1_000 });
    await assert.rejects(
      store.update((d) => {
        d.x = 1;
      }),
      (e: Error & { code?: string; kind?: string; path?: string }) =>
        e.code === 'FILE_NOT_REGULAR' &&
        e.kind === 'FIFO' &&
        e.path === file &&
        /cfg\.json is a FIFO/.test(e.message),
    );
    // Released: a second update gets as far as the file again, instead of waiting for the lock.
    const again = openStore(file, { defaults: {}, timeout: 0 });
    await assert.rejects(
      again.update(() => {}),
      { code: 'FILE_NOT_REGULAR' },
    );
  });

  it('followSymlinks: true follows a planted link (the documented opt-in)', {
    skip: isRoot ? false : 'needs root to plant as another user',
  }, async () => {
    const s = scene(0);
    const file = path.join(s.shared, 'cfg.json');
    plant('symlink', file, s);
    assert.deepEqual(await openStore(file, { followSymlinks: true }).read(), { secret: 1 });
    await assert.rejects(openStore(file).read(), { code: 'FILE_UNSAFE' });
  });

  it("the caller's own link, and a link in a folder nobody else can write, are followed", async () => {
    const s = scene(process.getuid?.() ?? 0);
    const own = path.join(s.shared, 'own.json');
    fs.symlinkSync(s.victim, own); // made by this user: followed even in the shared folder
    assert.deepEqual(await openStore(own).read(), { secret: 1 });
    const privateDir = path.join(s.base, 'elsewhere');
    fs.mkdirSync(privateDir, { mode: 0o755 });
    const link = path.join(privateDir, 'cfg.json');
    fs.symlinkSync(s.victim, link);
    if (isRoot) fs.lchownSync(link, 12345, 12345); // another user's link, in a folder only we can write
    assert.deepEqual(await openStore(link).read(), { secret: 1 });
  });
});
