// The holder record a kernel lock file holds: what a holder writes, read back as other tools see it.
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { HolderRecord } from '../../../../src/holder.js';
import {
  CTIME_GRAIN_MS,
  isoSeconds,
  parseRecord,
  type RecordFile,
  writeRecord,
} from '../../../../src/lock/backends/kernel/record.js';
import { tempDir } from '../../../helpers/tmp.js';

function recordFile(key: string): RecordFile {
  return {
    fd: openSync(key, 'w+'),
    key,
    created: true,
    lastWritten: undefined,
    lastLine: undefined,
    seen: undefined,
  };
}

function write(file: RecordFile, holder: HolderRecord): Record<string, unknown> {
  const stat = statSync(file.key, { bigint: true });
  assert.ok(writeRecord(file, 0, { size: Number(stat.size), ctimeNs: stat.ctimeNs }, holder));
  return JSON.parse(readFileSync(file.key, 'utf8').split('\n')[0]!);
}

describe('holder records', { timeout: 10_000 }, () => {
  const dir = tempDir();
  const holder: HolderRecord = {
    pid: 4242,
    hostname: 'host-a',
    command: 'node sync.js',
    mode: 'exclusive',
    since: new Date('2026-11-23T12:03:01.250Z'),
  };

  it('record who holds, in whole seconds, and whatever changed within the same second', () => {
    const file = recordFile(path.join(dir, 'a.lock'));
    try {
      assert.deepEqual(write(file, holder), {
        state: 'held',
        pid: 4242,
        hostname: 'host-a',
        command: 'node sync.js',
        mode: 'exclusive',
        since: '2026-11-23T12:03:01.000Z',
      });
      const sameSecond = new Date('2026-11-23T12:03:01.900Z');
      assert.equal(write(file, { ...holder, since: sameSecond, mode: 'shared' }).mode, 'shared');
      assert.equal(write(file, { ...holder, since: sameSecond, pid: 7 }).pid, 7);
      assert.equal(write(file, { ...holder, since: sameSecond, command: 'x' }).command, 'x');
      assert.equal(write(file, { ...holder, since: sameSecond, hostname: 'b' }).hostname, 'b');
      const later = write(file, { ...holder, since: new Date('2026-11-23T12:03:02.100Z') });
      assert.equal(later.since, '2026-11-23T12:03:02.000Z');
    } finally {
      closeSync(file.fd);
    }
  });
});

describe('a record kept because the file looks unchanged', { timeout: 10_000 }, () => {
  const dir = tempDir();
  const mine: HolderRecord = {
    pid: 4242,
    hostname: 'host-a',
    command: 'node sync.js',
    mode: 'exclusive',
    since: new Date(),
  };
  const other = { ...mine, pid: 4343 }; // a record of the same length, as a co-worker's usually is
  const nowNs = () => BigInt(Date.now()) * 1_000_000n;

  /** Another holder overwrites the record in place, as a holder of another process does. */
  function otherWrites(file: RecordFile): void {
    const theirs: RecordFile = { ...file, lastWritten: undefined, lastLine: undefined, seen: undefined };
    assert.ok(writeRecord(theirs, 0, { size: statSync(file.key).size, ctimeNs: 0n }, other));
  }
  const pidInFile = (file: RecordFile) => JSON.parse(readFileSync(file.key, 'utf8').split('\n')[0]!).pid;

  it('a ctime as fresh as a clock tick proves nothing: the file is read and the record written again', () => {
    const file = recordFile(path.join(dir, 'fresh.lock'));
    try {
      write(file, mine);
      // A kernel with coarse timestamps gives the next write, within the same tick, this same ctime.
      const coarse = { size: statSync(file.key).size, ctimeNs: nowNs() };
      assert.ok(writeRecord(file, 0, coarse, mine), 'our bytes, found by reading');
      otherWrites(file);
      assert.ok(writeRecord(file, 0, coarse, mine));
      assert.equal(pidInFile(file), 4242, 'the file names this holder again');
    } finally {
      closeSync(file.fd);
    }
  });

  it(`a ctime older than ${CTIME_GRAIN_MS} ms when our bytes were read is trusted while it stays the same`, () => {
    const file = recordFile(path.join(dir, 'settled.lock'));
    try {
      write(file, mine);
      const settled = { size: statSync(file.key).size, ctimeNs: nowNs() - 1_000_000_000n };
      assert.ok(writeRecord(file, 0, settled, mine), 'our bytes, found by reading');
      // A real write would change the ctime; an unchanged one is trusted without reading the file.
      otherWrites(file);
      assert.ok(writeRecord(file, 0, settled, mine));
      assert.equal(pidInFile(file), 4343, 'not read, so not rewritten: a hot loop pays no read');
    } finally {
      closeSync(file.fd);
    }
  });
});

describe('what counts as a locksmith record', { timeout: 10_000 }, () => {
  const line =
    '{"state":"held","pid":4242,"hostname":"host-a","command":"node sync.js","mode":"exclusive","since":"2026-11-23T12:03:01.000Z"}\n';

  it('the exact form locksmith writes, with its padding or a co-holder torn tail', () => {
    assert.equal(parseRecord(line)?.holder.pid, 4242);
    assert.equal(parseRecord(`${line}     `)?.state, 'held');
    assert.equal(parseRecord(line.replace('held', 'free'))?.state, 'free');
    assert.equal(parseRecord(`${line}01.000Z"}\n  `)?.state, 'held', 'the end of a longer record');
    assert.equal(parseRecord(`${line}Z"}\n`)?.state, 'held');
  });

  it('anything else is data: other fields, other order, spaces, other times, appended text', () => {
    for (const text of [
      '{"pid": 4242, "hostname": "web1", "since": "2026-11-23T12:03:01.000Z", "port": 8080}\n',
      '{"pid":4242,"hostname":"host-a","command":"node sync.js","mode":"exclusive","since":"2026-11-23T12:03:01.000Z"}\n',
      line.replace('"mode":"exclusive",', '"mode":"exclusive","port":8080,'),
      line.replace('{"state":"held","pid":4242,', '{"pid":4242,"state":"held",'),
      line.replace('"pid":4242', '"pid": 4242'),
      line.replace('01.000Z', '01.250Z'),
      `${line}important result\n`,
      `${line}{"a":"b"}\n`,
      line.slice(0, -1), // no newline: cut short
      '',
    ]) {
      assert.equal(parseRecord(text), undefined, text);
    }
  });
});

describe('record times', { timeout: 10_000 }, () => {
  it('are spelled as toISOString spells them, for any second of any year', () => {
    const max = 8_640_000_000_000; // the range of a Date, in seconds
    fc.assert(
      fc.property(fc.integer({ min: -max, max }), (second) => {
        assert.equal(isoSeconds(second), new Date(second * 1000).toISOString());
      }),
      { numRuns: 20_000 },
    );
    for (const second of [0, 946_684_799, 951_782_400, 4_107_542_400, 253_402_300_799, 253_402_300_800, -1]) {
      assert.equal(isoSeconds(second), new Date(second * 1000).toISOString());
    }
  });
});
