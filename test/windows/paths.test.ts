// Windows paths: drive letters, slashes, the \\?\ and UNC forms, reserved names, and case-insensitivity.
// Every spelling of one file must be one lock, across processes.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect, LocksmithError, lock, openStore, tryLock } from '../../src/index.js';
import { tempDir, worker } from './helpers.js';

const base = tempDir('locksmith-win-paths-');

/** A worker holding `file` (as it spells it). */
async function heldBy(file: string) {
  const w = await worker();
  w.send({ type: 'lock', path: file });
  await w.next('locked');
  return w;
}

/** `other` names the lock `w` holds: busy for tryLock, and inspect names w. */
async function assertSameLock(other: string, pid: number) {
  assert.equal(await tryLock(other), undefined, `${other} is the held lock`);
  const status = await inspect(other);
  assert.equal(status.locked, true);
  assert.equal(status.holder?.pid, pid);
}

describe('Windows paths', { timeout: 240_000 }, () => {
  const dir = path.join(base, 'Data');
  const file = path.join(dir, 'Report.TXT');

  it('drive letter, backslashes and the case of every component: one lock', { timeout: 60_000 }, async () => {
    assert.match(file, /^[A-Z]:\\/, 'an absolute path with a drive letter');
    const w = await heldBy(file);
    await assertSameLock(file.toLowerCase(), w.pid);
    await assertSameLock(file.toUpperCase(), w.pid);
    await assertSameLock(file.replaceAll('\\', '/'), w.pid);
    await assertSameLock(file[0]?.toLowerCase() + file.slice(1), w.pid);
    // Relative to the current folder of this process.
    await assertSameLock(path.relative(process.cwd(), file), w.pid);
    w.send({ type: 'release' });
    await w.next('released');
  });

  it('the \\\\?\\ (long path) form names the same lock', { timeout: 60_000 }, async () => {
    const w = await heldBy(file);
    await assertSameLock(`\\\\?\\${file}`, w.pid);
    w.send({ type: 'release' });
    await w.next('released');
  });

  it('the UNC form of a local drive names the same lock', { timeout: 60_000 }, async (t) => {
    const unc = `\\\\localhost\\${file[0]}$${file.slice(2)}`;
    if (!existsSync(path.dirname(unc))) {
      t.skip(`${path.dirname(unc)} is not reachable here (no administrative share)`);
      return;
    }
    const w = await heldBy(file);
    await assertSameLock(unc, w.pid);
    w.send({ type: 'release' });
    await w.next('released');
  });

  it('two spellings in one process are one lock too', { timeout: 30_000 }, async () => {
    const one = await lock(file, { timeout: 5_000 });
    assert.equal(await tryLock(file.toUpperCase()), undefined);
    await one.release();
    const two = await tryLock(file.toUpperCase());
    assert.ok(two);
    await two.release();
  });

  it('a store updated through two spellings loses no update', { timeout: 120_000 }, async () => {
    const json = path.join(dir, 'Settings.json');
    writeFileSync(json, '{"count":0}\n');
    const workers = await Promise.all([worker(), worker()]);
    workers[0]?.send({ type: 'store', path: json, times: 15 });
    workers[1]?.send({ type: 'store', path: json.toLowerCase(), times: 15 });
    await Promise.all(workers.map((w) => w.next('done', 110_000)));
    assert.deepEqual(await openStore(json).read(), { count: 30 });
  });

  for (const name of ['CON', 'NUL', 'aux.txt', 'COM1']) {
    it(`a reserved device name (${name}) gets a typed error, not a device`, { timeout: 30_000 }, async () => {
      await assert.rejects(lock(path.join(dir, name), { timeout: 1_000 }), (error: unknown) => {
        assert.ok(error instanceof LocksmithError, `not a LocksmithError: ${String(error)}`);
        assert.equal(error.code, 'LOCK_INVALID_ARGUMENT');
        return true;
      });
    });
  }
});
