// The store variant's checker against hand-made inputs: lost, doubled and unacknowledged-but-written
// updates, and a file that does not parse.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkStore } from '../../scripts/torture/check-store.js';
import type { TortureRecord } from '../../scripts/torture/records.js';

const lines = (...records: TortureRecord[]) => records.map((r) => JSON.stringify(r));
const file = (count: number, applied: Record<string, number>) => JSON.stringify({ count, applied });
const acks = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('torture store checker', { timeout: 10_000 }, () => {
  it('accepts a counter that matches the acknowledgements', () => {
    const report = checkStore({
      text: file(5, { '1.0': 3, '2.0': 2 }),
      acks: acks({ '1.0': 3, '2.0': 2 }),
      lines: [],
    });
    assert.equal(report.violations, 0, report.details.join('\n'));
    assert.equal(report.acknowledged, 5);
    assert.equal(report.count, 5);
  });

  it('allows one written, unacknowledged update per task of a killed worker, and no more', () => {
    const killed = lines({ e: 'kill', w: 1 });
    const ok = checkStore({
      text: file(6, { '1.0': 4, '2.0': 2 }),
      acks: acks({ '1.0': 3, '2.0': 2 }),
      lines: killed,
    });
    assert.equal(ok.violations, 0, ok.details.join('\n'));
    assert.equal(ok.unacknowledged, 1);
    const two = checkStore({
      text: file(7, { '1.0': 5, '2.0': 2 }),
      acks: acks({ '1.0': 3, '2.0': 2 }),
      lines: killed,
    });
    assert.equal(two.violations, 1);
    const alive = checkStore({
      text: file(6, { '1.0': 3, '2.0': 3 }),
      acks: acks({ '1.0': 3, '2.0': 2 }),
      lines: killed,
    });
    assert.equal(alive.violations, 1, 'worker 2 was not killed: its extra write came from a failed update');
  });

  it('finds a lost update and a count that does not add up', () => {
    // Two writers from the same base: the count went up once, task 1.0's own entry went back.
    const lost = checkStore({
      text: file(4, { '1.0': 2, '2.0': 2 }),
      acks: acks({ '1.0': 3, '2.0': 2 }),
      lines: [],
    });
    assert.equal(lost.violations, 1);
    assert.match(lost.details[0]!, /1\.0: 3 updates acknowledged, only 2/);
    const miscounted = checkStore({ text: file(9, { '1.0': 3 }), acks: acks({ '1.0': 3 }), lines: [] });
    assert.match(miscounted.details.join('\n'), /count is 9/);
  });

  it('finds a file that does not parse, errors, unexpected exits and a run with no update', () => {
    for (const text of [undefined, '', '{"count":', '[]']) {
      const report = checkStore({ text, acks: acks({ '1.0': 1 }), lines: [] });
      assert.match(report.details.join('\n'), /does not parse/);
    }
    const report = checkStore({
      text: file(0, {}),
      acks: acks({}),
      lines: lines(
        { e: 'error', w: 1, t: 0, code: 'STORE_IO', message: 'boom' },
        { e: 'exit', w: 2, code: 1, signal: null, expected: false },
      ),
    });
    assert.equal(report.violations, 3, report.details.join('\n'));
  });
});
