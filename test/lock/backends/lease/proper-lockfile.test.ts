// The lease backend's proper-lockfile protocol against the real proper-lockfile package, both directions.
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect, leaseBackend, lock, tryLock } from '../../../../src/index.js';
import { waitFor } from '../../../helpers/children.js';
import { tempDir } from '../../../helpers/tmp.js';

interface ProperLockfile {
  lock(file: string, options?: Record<string, unknown>): Promise<() => Promise<void>>;
  check(file: string, options?: Record<string, unknown>): Promise<boolean>;
}
const properLockfile = createRequire(import.meta.url)('proper-lockfile') as ProperLockfile;
// realpath: false so the target file need not exist; their default stale is 10 s.
const theirs = { realpath: false };

const dir = tempDir();
let n = 0;
const fresh = () => {
  const file = path.join(dir, `file-${++n}.json`);
  writeFileSync(file, '{}');
  return file;
};
const compat = { backend: leaseBackend({ protocol: 'proper-lockfile' }) };

describe('lease backend, proper-lockfile protocol, against proper-lockfile', { timeout: 60_000 }, () => {
  it('proper-lockfile holds: locksmith waits, and gets it when they release', async () => {
    const file = fresh();
    const release = await properLockfile.lock(file, theirs);
    assert.equal(await tryLock(file, compat), undefined);
    assert.equal((await inspect(file, compat)).locked, true);
    const waiting = lock(file, { ...compat, timeout: 10_000 });
    await release();
    const handle = await waiting;
    assert.equal(await properLockfile.check(file, theirs), true, 'they see our lock');
    await handle.release();
  });

  it('locksmith holds: proper-lockfile gets ELOCKED, and the lock when we release', async () => {
    const file = fresh();
    const handle = await lock(file, compat);
    await assert.rejects(properLockfile.lock(file, theirs), { code: 'ELOCKED' });
    await handle.release();
    const release = await properLockfile.lock(file, theirs);
    await release();
  });

  it("locksmith's heartbeat keeps proper-lockfile from calling our lock stale", async () => {
    const file = fresh();
    const handle = await lock(file, { backend: leaseBackend({ protocol: 'proper-lockfile', lease: 2_000 }) });
    const since = Date.now();
    await waitFor(() => Date.now() - since > 3_000, 10_000, 'longer than their stale time');
    await assert.rejects(properLockfile.lock(file, { ...theirs, stale: 2_000 }), { code: 'ELOCKED' });
    assert.equal(handle.signal.aborted, false);
    await handle.release();
  });

  it('a stale proper-lockfile lock (crashed user) is taken over, and ours is by them', async () => {
    const file = fresh();
    const lockDir = `${file}.lock`;
    mkdirSync(lockDir);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockDir, old, old);
    const handle = await tryLock(file, compat);
    assert.ok(handle, 'their stale folder is taken over');
    // We "crash": our folder stops being renewed and ages past their stale time.
    utimesSync(lockDir, old, old);
    const release = await properLockfile.lock(file, theirs);
    await waitFor(() => handle.signal.aborted, 10_000, 'we learn we lost it');
    assert.equal((handle.signal.reason as { code?: string }).code, 'LOCK_COMPROMISED');
    await handle.release(); // leaves their lock alone
    assert.equal(await properLockfile.check(file, theirs), true);
    await release();
  });

  it('the default lease protocol also keeps proper-lockfile out (one direction only)', async () => {
    const file = fresh();
    const handle = await lock(file, { backend: 'lease' });
    await assert.rejects(properLockfile.lock(file, theirs), { code: 'ELOCKED' });
    await handle.release();
  });
});
