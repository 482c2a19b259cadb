// Reading `handle.signal` in a loop of lock / release must not grow the heap (issue 18, row 12): each
// read watched the lock file's folder with a new fs.watch, whose memory is only freed when the event loop
// turns, so a loop that never yields grew ~1 KB per cycle. A child process measures it after a full gc.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FIXTURES } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

const CYCLES = 20_000;
/** Bytes the heap may grow over all the cycles: a leak of 1 KB per cycle is 20 MB. */
const BUDGET = 4 * 1024 * 1024;

describe('handle.signal in a hot loop', { timeout: 120_000 }, () => {
  it(`${CYCLES} lock / read signal / release cycles grow the heap by less than ${BUDGET / 2 ** 20} MB`, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(FIXTURES, 'signal-cycles.ts'), tempDir(), String(CYCLES)],
      { timeout: 100_000, killSignal: 'SIGKILL' },
    );
    const { growth } = JSON.parse(stdout) as { growth: number };
    assert.ok(growth < BUDGET, `the heap grew ${(growth / 2 ** 20).toFixed(1)} MB over ${CYCLES} cycles`);
  });
});
