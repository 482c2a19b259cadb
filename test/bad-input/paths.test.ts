// Bad paths and options: each gets a typed error with a stable code, and nothing on disk is lost or changed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  inspect,
  LockDirectoryError,
  type LockHandle,
  LockInvalidArgumentError,
  LocksmithError,
  lock,
  lockAll,
  tryLock,
  withLock,
} from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';

/** Every entry under `dir`: file contents, folders, symlink targets. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, name);
    const stat = fs.lstatSync(full);
    if (stat.isSymbolicLink()) out[name] = `-> ${fs.readlinkSync(full)}`;
    else if (stat.isDirectory()) out[name] = '<folder>';
    else out[name] = fs.readFileSync(full, 'utf8');
  }
  return out;
}

/** Asserts a typed locksmith error with `code`, and that nothing under `dir` changed. */
async function rejectsTyped(
  dir: string,
  attempt: () => Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<LocksmithError> {
  const before = snapshot(dir);
  let caught: unknown;
  try {
    const result = await attempt();
    await (result as LockHandle | undefined)?.release?.();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof LocksmithError, `expected a LocksmithError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  assert.deepEqual(snapshot(dir), before, 'nothing on disk may change');
  return caught;
}

describe('bad paths and options', { timeout: 30_000 }, () => {
  const dir = tempDir('locksmith-bad-input-');
  fs.writeFileSync(path.join(dir, 'data.txt'), 'precious data\n');
  fs.mkdirSync(path.join(dir, 'folder'));
  fs.writeFileSync(path.join(dir, 'folder', 'inside.txt'), 'also precious\n');
  const at = (name: string) => path.join(dir, name);

  it('an empty path, from every entry point', async () => {
    const INVALID = 'LOCK_INVALID_ARGUMENT';
    await rejectsTyped(dir, () => lock(''), INVALID, /non-empty/);
    await rejectsTyped(dir, () => tryLock(''), INVALID);
    await rejectsTyped(dir, () => inspect(''), INVALID);
    await rejectsTyped(dir, () => lock(at('x.json'), { lockfilePath: '' }), INVALID, /lockfilePath/);
    let called = false;
    await rejectsTyped(dir, () => withLock('', () => (called = true)), INVALID);
    assert.equal(called, false, 'withLock must not run its callback');
    await rejectsTyped(dir, () => lock(undefined as unknown as string), INVALID);
    await rejectsTyped(dir, () => lock(42 as unknown as string), INVALID);
  });

  it('a NUL byte in the path or the lock file path', async () => {
    await rejectsTyped(dir, () => lock(at('a\0b.json')), 'LOCK_INVALID_ARGUMENT', /NUL/);
    await rejectsTyped(
      dir,
      () => lock(at('a.json'), { lockfilePath: at('a\0.lock') }),
      'LOCK_INVALID_ARGUMENT',
      /NUL/,
    );
  });

  it('lockAll with one bad entry takes no lock at all', async () => {
    await rejectsTyped(dir, () => lockAll([at('fine.json'), '']), 'LOCK_INVALID_ARGUMENT');
    await rejectsTyped(dir, () => lockAll([at('fine.json'), at('data.txt/x.json')]), 'LOCK_DIRECTORY');
    const free = await tryLock(at('fine.json'));
    assert.ok(free, 'fine.json must not stay locked');
    await free.release();
  });

  it('a path that is a folder, and a lock file path that is a folder', async () => {
    await rejectsTyped(dir, () => lock(at('folder')), 'LOCK_INVALID_ARGUMENT', /is a folder/);
    await rejectsTyped(dir, () => tryLock(at('folder')), 'LOCK_INVALID_ARGUMENT', /is a folder/);
    await rejectsTyped(
      dir,
      () => lock(at('x.json'), { lockfilePath: at('folder') }),
      'LOCK_INVALID_ARGUMENT',
      /is a folder/,
    );
  });

  it('a lock file whose parent is a file: LOCK_DIRECTORY, and the file is untouched', async () => {
    const error = await rejectsTyped(dir, () => lock(at('data.txt/tasks.json')), 'LOCK_DIRECTORY');
    assert.ok(error instanceof LockDirectoryError);
    assert.equal(error.directory, at('data.txt'));
    assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOTDIR');
    await rejectsTyped(dir, () => lock(at('data.txt/deeper/tasks.json')), 'LOCK_DIRECTORY');
    await rejectsTyped(dir, () => inspect(at('data.txt/tasks.json')), 'LOCK_DIRECTORY');
  });

  it('extremely long names: a legal file name whose lock file name is too long, and a path beyond PATH_MAX', async () => {
    // 255 bytes is a legal name on Linux and macOS; with '.lock' it is not.
    await rejectsTyped(dir, () => lock(at('n'.repeat(255))), 'LOCK_INVALID_ARGUMENT', /too long/);
    await rejectsTyped(dir, () => lock(at('n'.repeat(1000))), 'LOCK_INVALID_ARGUMENT', /too long/);
    const deep = at(path.join(...Array.from({ length: 25 }, () => 'd'.repeat(200)), 'x.json'));
    await rejectsTyped(dir, () => lock(deep), 'LOCK_INVALID_ARGUMENT', /too long/);
    await rejectsTyped(dir, () => inspect(deep), 'LOCK_INVALID_ARGUMENT', /too long/);
  });

  it('negative, NaN and non-number timeouts', async () => {
    for (const timeout of [-1, -0.5, Number.NaN, Number.NEGATIVE_INFINITY, '5', null]) {
      const error = await rejectsTyped(
        dir,
        () => lock(at('t.json'), { timeout: timeout as number }),
        'LOCK_INVALID_ARGUMENT',
        /timeout/,
      );
      assert.ok(error instanceof LockInvalidArgumentError);
      await rejectsTyped(
        dir,
        () => withLock(at('t.json'), () => {}, { timeout: timeout as number }),
        'LOCK_INVALID_ARGUMENT',
      );
      await rejectsTyped(
        dir,
        () => lockAll([at('t.json')], { timeout: timeout as number }),
        'LOCK_INVALID_ARGUMENT',
      );
    }
  });
});
