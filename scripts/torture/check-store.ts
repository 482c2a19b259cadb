// The checker of the store variant (`--store`): workers increment one counter with `store.update` while
// they are SIGKILLed. Pure: the final file's text, the acknowledgements, the kills and the log in, report out.
//
// Every update also sets `applied[worker.task]` to the number of that task's updates it makes, and a task
// sends its acknowledgement (and waits until it is written to the IPC channel) before its next update.
// The rules:
// 1. The file parses, and has the counter's shape.
// 2. `count` equals the sum of `applied`: every applied update counted once.
// 3. No acknowledged update is lost: for every task, `applied` >= its last acknowledgement, and they are
//    equal unless its worker was killed, where `applied` may be one more (the update was written, the
//    kill came before the acknowledgement). A lost update shows as `applied` < acknowledged; a write
//    made by an update that failed (timeout, abort) shows as `applied` > acknowledged in a live worker.
// 4. Unexpected errors and exits (from the log, as in check.ts) are violations; so is a run with no update.
import { type Counter, type TortureRecord, violationRecorder } from './records.js';

export interface StoreReport {
  /** Acknowledged updates (the sum of every task's last acknowledgement). */
  acknowledged: number;
  /** The counter in the file at the end. */
  count: number | undefined;
  /** Updates written whose acknowledgement a kill prevented. */
  unacknowledged: number;
  timeouts: number;
  aborts: number;
  errors: number;
  kills: number;
  violations: number;
  details: string[];
}

export function checkStore(input: {
  text: string | undefined;
  acks: ReadonlyMap<string, number>;
  lines: readonly string[];
}): StoreReport {
  const report: StoreReport = {
    acknowledged: 0,
    count: undefined,
    unacknowledged: 0,
    timeouts: 0,
    aborts: 0,
    errors: 0,
    kills: 0,
    violations: 0,
    details: [],
  };
  const violation = violationRecorder(report);
  const killed = new Set<number>();
  input.lines.forEach((text, line) => {
    if (text === '') return;
    let record: TortureRecord;
    try {
      record = JSON.parse(text) as TortureRecord;
    } catch {
      violation(`log line ${line + 1} is unreadable`);
      return;
    }
    if (record.e === 'timeout') report.timeouts++;
    else if (record.e === 'abort') report.aborts++;
    else if (record.e === 'kill') {
      report.kills++;
      killed.add(record.w);
    } else if (record.e === 'error') {
      report.errors++;
      violation(`worker ${record.w} failed unexpectedly: ${record.code ?? ''} ${record.message}`);
    } else if (record.e === 'exit' && !record.expected) {
      violation(`worker ${record.w} exited unexpectedly (${record.code ?? record.signal})`);
    }
  });

  for (const n of input.acks.values()) report.acknowledged += n;
  if (report.acknowledged === 0) violation('no update was acknowledged: the run proved nothing');

  let counter: Counter;
  try {
    counter = JSON.parse(input.text ?? '') as Counter;
    if (typeof counter?.count !== 'number' || typeof counter.applied !== 'object' || counter.applied === null)
      throw new Error(`not a counter: ${input.text?.slice(0, 80)}`);
  } catch (error) {
    violation(`the store file does not parse as the counter: ${(error as Error).message}`);
    return report;
  }
  report.count = counter.count;
  const applied = Object.values(counter.applied).reduce((sum, n) => sum + n, 0);
  if (counter.count !== applied)
    violation(`count is ${counter.count} but the tasks' updates add up to ${applied}`);

  for (const key of new Set([...input.acks.keys(), ...Object.keys(counter.applied)])) {
    const acked = input.acks.get(key) ?? 0;
    const written = counter.applied[key] ?? 0;
    const wasKilled = killed.has(Number(key.split('.')[0]));
    if (written < acked)
      violation(`task ${key}: ${acked} updates acknowledged, only ${written} in the file (lost)`);
    else if (written > acked + (wasKilled ? 1 : 0)) {
      violation(
        `task ${key}: ${written} updates in the file, ${acked} acknowledged${wasKilled ? ' (killed)' : ''}`,
      );
    } else report.unacknowledged += written - acked;
  }
  return report;
}

/** The one-line summary. */
export function storeSummary(report: StoreReport, context: string): string {
  const n = (value: number) => value.toLocaleString('en-US');
  return (
    `${context}: ${n(report.acknowledged)} updates acknowledged, counter = ${report.count ?? 'unreadable'} ` +
    `(${n(report.unacknowledged)} written but not acknowledged before a kill), ${n(report.timeouts)} timeouts, ` +
    `${n(report.aborts)} aborts, ${n(report.kills)} kills, violations = ${n(report.violations)}`
  );
}
