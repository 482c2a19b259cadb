// The lease backend beyond the shared contract: its marker, takeover of dead and expired holders,
// the stale-takeover race (hundreds of rounds: scripts/lease-torture.ts), loss detection, and its
// timers. The contract suite runs it too.
import assert from 'node:assert/strict';
import {
  appendFileSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect, leaseBackend, lock, tryLock } from '../../../../src/index.js';
import { ownStart } from '../../../../src/lock/backends/lease/process-identity.js';
import { killChildrenAfter, spawnChild, waitFor } from '../../../helpers/children.js';
import { tempDir } from '../../../helpers/tmp.js';
import { overlaps, raceRound, startRacers, writeForeignMarker } from './lease-race.js';

killChildrenAfter();

const dir = tempDir();
let n = 0;
const fresh = (name = 'file') => path.join(dir, `${name}-${++n}.json`);
const lease = { backend: 'lease' } as const;

function ownerFile(lockfilePath: string): string {
  const names = readdirSync(lockfilePath);
  assert.equal(names.length, 1, `one owner file in ${lockfilePath}: ${names.join(', ')}`);
  return path.join(lockfilePath, names[0]!);
}

function ago(ms: number): Date {
  return new Date(Date.now() - ms);
}

describe('lease backend', { timeout: 120_000 }, () => {
  it('the marker is a folder with one owner file: pid, hostname, token, start time, acquired time', async () => {
    const file = fresh();
    const before = Date.now();
    const handle = await lock(file, lease);
    try {
      assert.equal(handle.backend, 'lease');
      const owner = ownerFile(handle.lockfilePath);
      const record = JSON.parse(readFileSync(owner, 'utf8')) as Record<string, unknown>;
      assert.equal(record.pid, process.pid);
      assert.equal(typeof record.hostname, 'string');
      assert.match(String(record.token), /^[0-9a-f]{32}$/);
      assert.equal(path.basename(owner), `owner.${record.token}`);
      assert.equal(record.start, ownStart());
      assert.ok(Date.parse(String(record.since)) >= before - 1000);
      const status = await inspect(file, lease);
      assert.equal(status.locked, true);
      assert.equal(status.holder?.pid, process.pid);
    } finally {
      await handle.release();
    }
    assert.throws(() => statSync(`${file}.lock`), { code: 'ENOENT' }, 'release removes the marker');
  });

  it('release is token-checked: a marker that is no longer ours stays', async () => {
    const file = fresh();
    const handle = await lock(file, lease);
    const signal = handle.signal;
    // Someone took it over (as after an expired lease): our owner file is gone, theirs is there.
    rmSync(handle.lockfilePath, { recursive: true });
    writeForeignMarker(handle.lockfilePath, 60_000, 'f'.repeat(32));
    await waitFor(() => signal.aborted, 10_000, 'the signal aborts');
    await handle.release();
    assert.equal(path.basename(ownerFile(handle.lockfilePath)), `owner.${'f'.repeat(32)}`);
    assert.equal(await tryLock(file, lease), undefined, 'their lock still holds');
  });

  it('a third party deleting the marker aborts the signal with LOCK_COMPROMISED', async () => {
    const file = fresh();
    const handle = await lock(file, lease);
    const signal = handle.signal;
    assert.equal(signal.aborted, false);
    rmSync(handle.lockfilePath, { recursive: true });
    await waitFor(() => signal.aborted, 10_000, 'the signal aborts');
    const reason = signal.reason as { code?: string; message?: string };
    assert.equal(reason.code, 'LOCK_COMPROMISED');
    assert.match(String(reason.message), /removed or taken over/);
    await handle.release(); // no throw
    const again = await tryLock(file, lease);
    assert.ok(again, 'the lock is free again');
    await again.release();
  });

  it('the heartbeat keeps a lease alive well past its length', async () => {
    const file = fresh();
    const short = leaseBackend({ lease: 200 });
    const handle = await lock(file, { backend: short });
    try {
      const owner = ownerFile(handle.lockfilePath);
      const first = statSync(owner).mtimeMs;
      // Several lease lengths pass, and the owner file's mtime keeps moving.
      await waitFor(() => statSync(owner).mtimeMs - first > 600, 20_000, 'three lease lengths of renewals');
      const other = leaseBackend({ lease: 200 }); // another instance: no in-process queue shared
      assert.equal(await tryLock(file, { backend: other }), undefined);
      assert.equal(handle.signal.aborted, false);
    } finally {
      await handle.release();
    }
  });

  it('same-host crash recovery: a SIGKILLed holder is reclaimed at once, not after the lease', async (t) => {
    const file = fresh();
    const holder = spawnChild('lease-racer.ts');
    await holder.next('ready');
    holder.send({ type: 'hold', path: file }); // default lease: 10 s
    await holder.next('locked');
    const waiting = lock(file, { ...lease, timeout: 5_000 }); // gives up long before the lease ends
    const killedAt = performance.now();
    holder.kill('SIGKILL');
    const handle = await waiting;
    t.diagnostic(`recovered ${(performance.now() - killedAt).toFixed(1)} ms after SIGKILL (lease 10 000 ms)`);
    await handle.release();
  });

  const proc = ownStart() ? undefined : 'no process start time on this platform (no /proc)';

  it('a frozen holder (SIGSTOP) of this host is alive: never taken over, it keeps its lock', {
    skip: proc,
  }, async () => {
    const file = fresh();
    const holder = spawnChild('lease-racer.ts');
    await holder.next('ready');
    holder.send({ type: 'hold', path: file, lease: 300 });
    await holder.next('locked');
    holder.kill('SIGSTOP'); // alive; its heartbeat stops
    await assert.rejects(
      lock(file, { ...lease, timeout: 1_500 }),
      (error: { code?: string; holder?: { pid: number } }) => {
        assert.equal(error.code, 'LOCK_TIMEOUT', 'five leases passed: still not taken over');
        assert.equal(error.holder?.pid, holder.pid);
        return true;
      },
    );
    holder.kill('SIGCONT');
    await assert.rejects(lock(file, { ...lease, timeout: 1_000 }), { code: 'LOCK_TIMEOUT' });
    holder.kill('SIGKILL');
    const handle = await lock(file, { ...lease, timeout: 10_000 });
    await handle.release();
  });

  it("a holder whose event loop is blocked 3 s (1 s lease) is not taken over: its commit never overlaps a waiter's", {
    skip: proc,
  }, async () => {
    const file = fresh();
    const log = path.join(dir, `blocked-${n}.log`);
    writeFileSync(log, '');
    const holder = spawnChild('lease-blocked-holder.ts', [file, log, '3000']);
    await waitFor(() => readFileSync(log, 'utf8').includes('enter'), 60_000, 'the holder locked');
    const handle = await lock(file, { backend: leaseBackend({ lease: 1_000 }), timeout: 30_000 });
    appendFileSync(log, `enter ${process.pid}\nexit ${process.pid}\n`);
    await handle.release();
    await holder.exited;
    const text = readFileSync(log, 'utf8');
    assert.match(text, /^commit /m, 'the holder was told it still held the lock');
    assert.deepEqual(overlaps(text), { holds: 2, most: 1 }, text);
  });

  it('a crashed foreign holder whose heartbeat is in the future (clock ahead) is recovered after its lease', async () => {
    const file = fresh();
    const lockfilePath = `${file}.lock`;
    writeForeignMarker(lockfilePath, 300);
    const future = new Date('2099-01-01T00:00:00Z');
    utimesSync(ownerFile(lockfilePath), future, future);
    const start = performance.now();
    const handle = await lock(file, { ...lease, timeout: 10_000 });
    assert.ok(performance.now() - start >= 250, 'not before a lease of unchanged heartbeat');
    assert.equal(JSON.parse(readFileSync(ownerFile(lockfilePath), 'utf8')).pid, process.pid);
    await handle.release();
  });

  it('a marker from another host is stale only after its lease', async () => {
    const file = fresh();
    const lockfilePath = `${file}.lock`;
    writeForeignMarker(lockfilePath, 60_000);
    assert.equal(await tryLock(file, lease), undefined, 'a fresh foreign lease holds');
    const status = await inspect(file, lease);
    assert.equal(status.locked, true);
    assert.equal(status.holder?.hostname, 'another-host.example');
    const owner = ownerFile(lockfilePath);
    utimesSync(owner, ago(59_000), ago(59_000));
    assert.equal(await tryLock(file, lease), undefined, 'still within its lease');
    utimesSync(owner, ago(61_000), ago(61_000));
    assert.equal((await inspect(file, lease)).locked, false, 'expired');
    const handle = await tryLock(file, lease);
    assert.ok(handle, 'taken over after the lease');
    assert.equal(JSON.parse(readFileSync(ownerFile(lockfilePath), 'utf8')).pid, process.pid);
    await handle.release();
  });

  it('a live pid of this host with another start time (pid reuse) is stale; with its own it is not', {
    skip: ownStart() ? undefined : 'no process start time on this platform (no /proc)',
  }, async () => {
    const start = ownStart()!;
    const cut = start.lastIndexOf('/');
    const file = fresh();
    const lockfilePath = `${file}.lock`;
    const marker = (startTime: string) => {
      rmSync(lockfilePath, { recursive: true, force: true });
      writeForeignMarker(lockfilePath, 60_000);
      const owner = ownerFile(lockfilePath);
      const record = JSON.parse(readFileSync(owner, 'utf8')) as Record<string, unknown>;
      const mine = { pid: process.pid, hostname: hostname(), start: startTime };
      writeFileSync(owner, `${JSON.stringify({ ...record, ...mine })}\n`);
    };
    marker(start); // our own pid and start time: alive
    assert.equal(await tryLock(file, { backend: leaseBackend() }), undefined);
    marker(`${start.slice(0, cut)}/${Number(start.slice(cut + 1)) + 1}`); // our pid, another start time
    const handle = await tryLock(file, { backend: leaseBackend() });
    assert.ok(handle, 'a reused pid does not keep a dead holder alive');
    await handle.release();
  });

  it('timers are unref: a process holding a lease lock exits when its work is done', async () => {
    const file = fresh();
    const child = spawnChild('lease-exit.ts', [file]);
    await child.next('locked');
    const { code } = await child.exited;
    assert.equal(code, 0);
    // It died holding the lock: this host reclaims it at once.
    const handle = await lock(file, { ...lease, timeout: 5_000 });
    await handle.release();
  });

  it('stale takeover race: 8 waiters, holder SIGKILLed or its foreign lease expired: never two inside', async (t) => {
    const racers = await startRacers(8);
    const log = path.join(dir, 'race.log');
    writeFileSync(log, '');
    const file = fresh('race');
    const rounds: string[] = [];
    for (const [round, scenario] of (['sigkill', 'expired'] as const).entries()) {
      const result = await raceRound(racers, file, log, round, scenario);
      rounds.push(`${scenario}: recovery ${result.recovery} ms`);
      assert.equal(result.holds, 8, 'every waiter held the lock once');
      assert.equal(result.most, 1, `round ${round} (${scenario}): two holders at once`);
    }
    assert.deepEqual(overlaps(readFileSync(log, 'utf8')), { holds: 16, most: 1 });
    t.diagnostic(rounds.join('; '));
  });
});
