import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holderFromApplicationName, holderToApplicationName } from '../../src/postgres/holder.js';
import { keyOf, lockIds, lockNumber } from '../../src/postgres/keys.js';

describe('holder in application_name, and lock numbers', { timeout: 10_000 }, () => {
  const since = new Date('2026-11-23T12:03:01.123Z');

  it('round-trips pid, host, command and since', () => {
    const text = holderToApplicationName({
      pid: 4242,
      hostname: 'host-a',
      command: 'node sync.js --all',
      since,
    });
    assert.deepEqual(holderFromApplicationName(text), {
      pid: 4242,
      hostname: 'host-a',
      command: 'node sync.js --all',
      since,
    });
  });

  it('fits PostgreSQL: at most 63 bytes of printable ASCII, the command cut first', () => {
    const text = holderToApplicationName({
      pid: 1,
      hostname: 'hôte',
      command: `node ${'x'.repeat(100)} é`,
      since,
    });
    assert.ok(Buffer.byteLength(text) <= 63);
    assert.match(text, /^[\x20-\x7e]+$/);
    const holder = holderFromApplicationName(text);
    assert.equal(holder?.hostname, 'h?te');
    assert.ok(holder?.command.startsWith('node xxx'));
  });

  it('ignores application names that are not ours', () => {
    assert.equal(holderFromApplicationName('psql'), undefined);
    assert.equal(holderFromApplicationName(null), undefined);
    assert.equal(holderFromApplicationName('locksmith x y'), undefined);
  });

  it('lock numbers: stable, namespaced, split as pg_locks shows them', () => {
    assert.equal(lockNumber(keyOf('a', 'x')), lockNumber(keyOf('a', 'x')));
    assert.notEqual(lockNumber(keyOf('a', 'x')), lockNumber(keyOf('b', 'x')));
    const n = -2n; // 0xffff_ffff_ffff_fffe as unsigned
    assert.deepEqual(lockIds(n), { classid: 0xffffffff, objid: 0xfffffffe });
    assert.deepEqual(lockIds(0x1_0000_0002n), { classid: 1, objid: 2 });
  });
});
