// The torture checker against hand-written logs: it must find every kind of violation it claims to find,
// and excuse only what check.ts's rules excuse.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLog } from '../../scripts/torture/check.js';
import type { TortureRecord } from '../../scripts/torture/records.js';

const log = (...records: TortureRecord[]) => checkLog(records.map((r) => JSON.stringify(r)));
const enter = (w: number, n: number, m: 'x' | 's' = 'x', k = 0): TortureRecord => ({
  e: 'in',
  w,
  t: 0,
  n,
  k,
  m,
});
const leave = (w: number, n: number, lost = false): TortureRecord =>
  lost ? { e: 'out', w, t: 0, n, lost: 1 } : { e: 'out', w, t: 0, n };
const kill = (w: number): TortureRecord => ({ e: 'kill', w });
const removal = (k = 0): TortureRecord[] => [
  { e: 'delete', k, p: 0 },
  { e: 'delete', k, p: 1 },
];

describe('torture checker', { timeout: 10_000 }, () => {
  it('accepts holds that follow each other', () => {
    const report = log(enter(1, 1), leave(1, 1), enter(2, 1), leave(2, 1), enter(1, 2, 's'), leave(1, 2));
    assert.equal(report.violations, 0, report.details.join('\n'));
    assert.equal(report.acquisitions, 3);
    assert.equal(report.exclusive, 2);
    assert.equal(report.shared, 1);
  });

  it('finds two exclusive holds at once, across processes or tasks of one process', () => {
    const report = log(enter(1, 1), enter(2, 1), leave(2, 1), leave(1, 1));
    assert.equal(report.overlaps, 1);
    assert.equal(report.violations, 1);
    assert.match(report.details[0]!, /exclusive hold 2\.0\.1 .* overlapped exclusive hold 1\.0\.1/);
    const sameProcess = checkLog(
      [
        { e: 'in', w: 1, t: 0, n: 1, k: 0, m: 'x' },
        { e: 'in', w: 1, t: 1, n: 1, k: 0, m: 'x' },
        { e: 'out', w: 1, t: 1, n: 1 },
        { e: 'out', w: 1, t: 0, n: 1 },
      ].map((r) => JSON.stringify(r)),
    );
    assert.equal(sameProcess.overlaps, 1);
  });

  it('lets shared holds overlap each other but not an exclusive one, and keeps lock files apart', () => {
    assert.equal(log(enter(1, 1, 's'), enter(2, 1, 's'), leave(1, 1), leave(2, 1)).violations, 0);
    assert.equal(log(enter(1, 1, 's'), enter(2, 1, 'x'), leave(1, 1), leave(2, 1)).overlaps, 1);
    assert.equal(log(enter(1, 1, 'x'), enter(2, 1, 's'), leave(1, 1), leave(2, 1)).overlaps, 1);
    assert.equal(log(enter(1, 1, 'x', 0), enter(2, 1, 'x', 1), leave(1, 1), leave(2, 1)).violations, 0);
  });

  it("ends a killed worker's hold at its kill line", () => {
    assert.equal(log(enter(1, 1), kill(1), enter(2, 1), leave(2, 1)).violations, 0);
    const report = log(enter(1, 1), enter(2, 1), kill(1), leave(2, 1));
    assert.equal(report.overlaps, 1);
    assert.equal(report.kills, 1);
    assert.equal(report.killedHolding, 1);
  });

  it('counts a hold entered after its kill line as a point', () => {
    assert.equal(log(kill(1), enter(1, 1), enter(2, 1), leave(2, 1)).violations, 0);
    assert.equal(log(kill(1), enter(2, 1), enter(1, 1), leave(2, 1)).overlaps, 1);
  });

  it('excuses an overlap with a hold whose lock file was removed from outside, and only then', () => {
    const excused = log(enter(1, 1), ...removal(), enter(2, 1), leave(2, 1), leave(1, 1, true));
    assert.equal(excused.violations, 0, excused.details.join('\n'));
    assert.equal(excused.excusedOverlaps, 1);
    assert.equal(excused.compromises, 1);
    assert.equal(excused.deletions, 1);
    // The same overlap without the removal, with a removal of another lock file, or with a truncation.
    assert.equal(log(enter(1, 1), enter(2, 1), leave(2, 1), leave(1, 1)).overlaps, 1);
    assert.equal(log(enter(1, 1), ...removal(1), enter(2, 1), leave(2, 1), leave(1, 1)).overlaps, 1);
    const truncated = log(
      enter(1, 1),
      { e: 'truncate', k: 0, p: 0 },
      { e: 'truncate', k: 0, p: 1 },
      enter(2, 1),
      leave(2, 1),
      leave(1, 1),
    );
    assert.equal(truncated.overlaps, 1);
    assert.equal(truncated.truncations, 1);
    // A removal that ended before the hold began (and the hold reported no loss) excuses nothing.
    assert.equal(log(...removal(), enter(1, 1), enter(2, 1), leave(2, 1), leave(1, 1)).overlaps, 1);
  });

  it('for a killed hold (no out line, no loss report), counts a removal since its previous line', () => {
    const report = log(
      { e: 'timeout', w: 1, t: 0 },
      ...removal(),
      enter(1, 1),
      enter(2, 1),
      kill(1),
      leave(2, 1),
    );
    assert.equal(report.violations, 0, report.details.join('\n'));
    assert.equal(report.excusedOverlaps, 1);
  });

  it('chains holds of one worker that may have inherited an orphaned grant, and only those', () => {
    const task = (w: number, t: number) => ({ w, t });
    const records = (joiner: { w: number; t: number }, lost: boolean): TortureRecord[] => [
      { e: 'in', w: 1, t: 0, n: 1, k: 0, m: 's' },
      ...removal(),
      { e: 'timeout', ...joiner },
      { e: 'in', ...joiner, n: 1, k: 0, m: 's' },
      { e: 'out', w: 1, t: 0, n: 1, lost: 1 },
      enter(9, 1),
      lost ? { e: 'out', ...joiner, n: 1, lost: 1 } : { e: 'out', ...joiner, n: 1 },
      leave(9, 1),
    ];
    // Task 1 of worker 1 joined task 0's shared lock after the removal: its loss is explained, and the
    // overlap with worker 9's new lock is excused even if it had not reported the loss yet.
    for (const lost of [true, false]) {
      const report = checkLog(records(task(1, 1), lost).map((r) => JSON.stringify(r)));
      assert.equal(report.violations, 0, report.details.join('\n'));
      assert.equal(report.excusedOverlaps, 1);
    }
    // The same lines from another worker are not chained: its hold began after the removal.
    const report = checkLog(records(task(2, 0), false).map((r) => JSON.stringify(r)));
    assert.equal(report.overlaps, 1);
  });

  it('finds a LOCK_COMPROMISED that no removal explains', () => {
    const report = log(enter(1, 1), leave(1, 1, true));
    assert.equal(report.compromises, 1);
    assert.equal(report.violations, 1);
    assert.match(report.details[0]!, /nobody removed its lock file/);
  });

  it('finds unexpected errors and exits, unreadable lines, unended holds and empty runs', () => {
    const report = checkLog([
      JSON.stringify(enter(1, 1)),
      JSON.stringify(leave(1, 1)),
      JSON.stringify({ e: 'error', w: 1, t: 0, code: 'LOCK_IO', message: 'boom' }),
      JSON.stringify({ e: 'exit', w: 2, code: 1, signal: null, expected: false }),
      '{"e":"in","w":3,',
      JSON.stringify(enter(4, 1)),
    ]);
    assert.equal(report.errors, 1);
    assert.equal(report.violations, 4, report.details.join('\n'));
    assert.match(report.details.join('\n'), /LOCK_IO boom/);
    assert.match(report.details.join('\n'), /exited unexpectedly/);
    assert.match(report.details.join('\n'), /unreadable/);
    assert.match(report.details.join('\n'), /4\.0\.1 .* never ended/);
    assert.equal(log({ e: 'timeout', w: 1, t: 0 }).violations, 1);
  });
});
