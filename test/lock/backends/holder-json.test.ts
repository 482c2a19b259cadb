import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatHolder } from '../../../src/holder.js';
import { currentHolder, decodeHolder, encodeHolder } from '../../../src/lock/backends/holder-json.js';

describe('holder records', { timeout: 5_000 }, () => {
  it('round-trips', () => {
    const holder = currentHolder('shared');
    assert.deepEqual(decodeHolder(encodeHolder(holder)), holder);
  });

  it('keeps fields other backends add to the record', () => {
    const record = { ...currentHolder('exclusive'), token: 'abc', lease: 10 };
    const parsed = JSON.parse(encodeHolder(record));
    assert.equal(parsed.token, 'abc');
    assert.equal(parsed.lease, 10);
    assert.equal(parsed.pid, process.pid);
  });

  it('yields undefined for empty, partial or foreign content', () => {
    for (const text of [
      '',
      '\n',
      '{"pid":1',
      'hello',
      '[]',
      'null',
      '{"pid":"x","hostname":"h","since":"2020"}',
    ]) {
      assert.equal(decodeHolder(text), undefined, JSON.stringify(text));
    }
    assert.equal(decodeHolder('{"pid":1,"hostname":"h","since":"not a date"}'), undefined);
  });

  it('formats as "pid N (command) on host since HH:MM:SS"', () => {
    const since = new Date(2026, 0, 2, 12, 3, 1);
    assert.equal(
      formatHolder({ pid: 4242, hostname: 'host-a', command: 'node sync.js', since }),
      'pid 4242 (node sync.js) on host-a since 12:03:01',
    );
  });
});
