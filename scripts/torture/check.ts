// The checker of the torture log. Pure: lines in, report out (test/chaos/check.test.ts feeds it logs).
//
// Every line is one event, and the order of lines is the real order of events (see records.ts). A hold is
// the span from its `in` line (written after the lock was acquired) to its `out` line (written before the
// release starts), so a hold's span lies inside the time the lock was really held: two spans that
// overlap in the log prove that two holders really held at once. The rules:
//
// 1. Mutual exclusion: on one lock file, an exclusive hold overlaps no other hold, and a shared hold
//    overlaps only shared holds, in any two processes or in two tasks of one process.
// 2. A killed worker's open hold ends at its `kill` line (written before SIGKILL is sent, while the worker
//    is still alive and holding); a hold it entered after that line is a single point. The kernel releases
//    the lock of a dead process somewhere after that line, so the span stays inside the real hold.
// 3. Outside deletion. When someone removes a lock file while it is held, the holder keeps its lock on the
//    removed inode, and the next locker creates and locks a new file: two holders at once, which no
//    file-locking library can prevent. The library must then tell the holder, through `handle.signal`
//    (LOCK_COMPROMISED). A hold is *exposed* when its span meets the span of an outside deletion of its
//    lock file (from the conductor's `delete` line before unlink to its line after), or when it reported a
//    loss. Workers read `handle.signal` right after writing `in`; for a lock taken from the kernel this
//    checks the file at once (and a loss found then is still on the signal when `out` is written), so a
//    hold that reported no loss held the current file when its `in` line was written, and a removal that
//    hits it comes after that line. Two cases reach further back:
//    - A killed hold wrote no `out` and so could not report a loss: for it, the deletion span need only
//      end after the task's previous line (the lock was acquired after that line, and a removal that hits
//      it comes after the acquisition).
//    - Tasks of one process share a shared lock and hand an exclusive one to each other without touching
//      the disk, so a hold may inherit a grant that a removal had already orphaned, before the process's
//      watch noticed. A hold whose attempt began (its task's previous line) before another hold of the
//      same worker on the same lock file ended is chained to it, and a deletion span counts if it ends
//      after the start of the chain.
//    An overlap where either hold is exposed is counted as *excused*, not as a violation; every other
//    overlap is a violation.
// 4. A reported loss must be explained by an outside deletion of that lock file between the start of the
//    hold's chain (rule 3; for a hold alone, its task's previous line, before it started to lock) and the
//    hold's `out` line; a loss nobody caused is a violation (a false LOCK_COMPROMISED).
// 5. Truncation from outside changes nothing: it excuses nothing.
// 6. Any error a worker did not expect, any worker that exited on its own or hung at the end, any
//    unreadable line, and a run with no acquisition at all are violations.
import { type TortureRecord, violationRecorder } from './records.js';

export interface TortureReport {
  acquisitions: number;
  exclusive: number;
  shared: number;
  timeouts: number;
  aborts: number;
  errors: number;
  kills: number;
  /** Kills of a worker that held a lock at that moment. */
  killedHolding: number;
  deletions: number;
  truncations: number;
  /** Holds whose `handle.signal` aborted with LOCK_COMPROMISED. */
  compromises: number;
  /** Overlaps where a hold was exposed to an outside deletion of its lock file (rule 3). */
  excusedOverlaps: number;
  /** Overlaps that break mutual exclusion. */
  overlaps: number;
  /** Every problem found (overlaps, unexpected errors and exits...), at most `MAX_DETAILS` described. */
  violations: number;
  details: string[];
}

interface Hold {
  id: string;
  k: number;
  m: 'x' | 's';
  start: number;
  /** Line of `out`, or of the `kill` that ended it; undefined until known. */
  end: number | undefined;
  /** Line of the task's previous record (before this lock attempt began), -1 for its first. */
  prev: number;
  killedAt: number | undefined;
  wroteOut: boolean;
  lost: boolean;
}

interface Deletion {
  pre: number;
  post: number;
}

export function checkLog(lines: readonly string[]): TortureReport {
  const report: TortureReport = {
    acquisitions: 0,
    exclusive: 0,
    shared: 0,
    timeouts: 0,
    aborts: 0,
    errors: 0,
    kills: 0,
    killedHolding: 0,
    deletions: 0,
    truncations: 0,
    compromises: 0,
    excusedOverlaps: 0,
    overlaps: 0,
    violations: 0,
    details: [],
  };
  const violation = violationRecorder(report);

  const holds = new Map<string, Hold>();
  const taskLast = new Map<string, number>();
  const open = new Map<number, Set<Hold>>();
  const killed = new Map<number, number>();
  const deletions = new Map<number, Deletion[]>();
  const pendingDelete = new Map<number, number>();

  lines.forEach((text, line) => {
    if (text === '') return;
    let record: TortureRecord;
    try {
      record = JSON.parse(text) as TortureRecord;
    } catch {
      violation(`line ${line + 1} is unreadable: ${text.slice(0, 80)}`);
      return;
    }
    switch (record.e) {
      case 'in': {
        const id = `${record.w}.${record.t}.${record.n}`;
        const task = `${record.w}.${record.t}`;
        if (holds.has(id)) violation(`line ${line + 1}: hold ${id} entered twice`);
        const hold: Hold = {
          id,
          k: record.k,
          m: record.m,
          start: line,
          end: undefined,
          prev: taskLast.get(task) ?? -1,
          killedAt: undefined,
          wroteOut: false,
          lost: false,
        };
        holds.set(id, hold);
        taskLast.set(task, line);
        const set = open.get(record.w) ?? new Set<Hold>();
        open.set(record.w, set);
        set.add(hold);
        report.acquisitions++;
        if (record.m === 'x') report.exclusive++;
        else report.shared++;
        break;
      }
      case 'out': {
        const id = `${record.w}.${record.t}.${record.n}`;
        const hold = holds.get(id);
        if (!hold || hold.end !== undefined) {
          violation(`line ${line + 1}: hold ${id} exited without entering`);
          break;
        }
        hold.end = line;
        hold.wroteOut = true;
        if (record.lost === 1) hold.lost = true;
        open.get(record.w)?.delete(hold);
        taskLast.set(`${record.w}.${record.t}`, line);
        break;
      }
      case 'timeout':
      case 'abort':
        if (record.e === 'timeout') report.timeouts++;
        else report.aborts++;
        taskLast.set(`${record.w}.${record.t}`, line);
        break;
      case 'error':
        report.errors++;
        violation(
          `line ${line + 1}: worker ${record.w} failed unexpectedly: ${record.code ?? ''} ${record.message}`,
        );
        if (record.t !== undefined) taskLast.set(`${record.w}.${record.t}`, line);
        break;
      case 'start':
        break;
      case 'kill': {
        report.kills++;
        killed.set(record.w, line);
        const holding = open.get(record.w);
        if (holding && holding.size > 0) report.killedHolding++;
        for (const hold of holding ?? []) hold.killedAt = line;
        open.delete(record.w);
        break;
      }
      case 'exit':
        if (!record.expected) {
          violation(
            `line ${line + 1}: worker ${record.w} exited unexpectedly (${record.code ?? record.signal})`,
          );
        }
        break;
      case 'delete':
        if (record.p === 0) pendingDelete.set(record.k, line);
        else {
          report.deletions++;
          const list = deletions.get(record.k) ?? [];
          list.push({ pre: pendingDelete.get(record.k) ?? line, post: line });
          deletions.set(record.k, list);
        }
        break;
      case 'truncate':
        if (record.p === 1) report.truncations++;
        break;
    }
  });

  // Holds that never wrote `out`: only a killed worker may leave one (rule 2).
  for (const hold of holds.values()) {
    if (hold.end !== undefined) continue;
    const worker = Number(hold.id.split('.')[0]);
    if (hold.killedAt !== undefined) hold.end = hold.killedAt;
    else {
      if (!killed.has(worker)) violation(`hold ${hold.id} (line ${hold.start + 1}) never ended`);
      hold.end = hold.start;
    }
  }

  // Rule 3's in-process chains: a hold whose attempt began (its task's previous line) before another hold of
  // the same worker on the same lock file ended may have joined or been handed that hold's grant.
  const chainStart = new Map<Hold, number>();
  const byWorkerKey = new Map<string, Hold[]>();
  for (const hold of holds.values()) {
    const key = `${hold.id.split('.')[0]}:${hold.k}`;
    const earlier = byWorkerKey.get(key) ?? [];
    let start = hold.prev;
    // Tasks of one worker are few and each one's holds are sequential: a short look back finds them all.
    for (let i = earlier.length - 1, seen = 0; i >= 0 && seen < 64; i--, seen++) {
      const other = earlier[i]!;
      if (hold.prev < other.end! && other.start < hold.start) start = Math.min(start, chainStart.get(other)!);
    }
    chainStart.set(hold, start);
    earlier.push(hold);
    byWorkerKey.set(key, earlier);
  }

  const exposed = (hold: Hold): boolean => {
    const chain = chainStart.get(hold)!;
    const from = hold.wroteOut && chain === hold.prev ? hold.start : chain;
    return hold.lost || (deletions.get(hold.k) ?? []).some((d) => d.pre < hold.end! && d.post > from);
  };

  // Rule 4.
  for (const hold of holds.values()) {
    if (!hold.lost) continue;
    report.compromises++;
    const from = chainStart.get(hold)!;
    const explained = (deletions.get(hold.k) ?? []).some((d) => d.pre < hold.end! && d.post > from);
    if (!explained) {
      violation(
        `hold ${hold.id} (line ${hold.start + 1}) reported LOCK_COMPROMISED, but nobody removed its lock file`,
      );
    }
  }

  // Rule 1: sweep the spans of each lock file in log order.
  const events: { at: number; enter: boolean; hold: Hold }[] = [];
  for (const hold of holds.values()) {
    events.push({ at: hold.start, enter: true, hold });
    if (hold.end! > hold.start) events.push({ at: hold.end!, enter: false, hold });
  }
  events.sort((a, b) => a.at - b.at || Number(a.enter) - Number(b.enter));
  const active = new Map<number, Set<Hold>>();
  for (const { enter, hold } of events) {
    const set = active.get(hold.k) ?? new Set<Hold>();
    active.set(hold.k, set);
    if (!enter) {
      set.delete(hold);
      continue;
    }
    for (const other of set) {
      if (hold.m === 's' && other.m === 's') continue;
      if (exposed(hold) || exposed(other)) {
        report.excusedOverlaps++;
        continue;
      }
      report.overlaps++;
      const describe = (h: Hold) =>
        `${h.m === 'x' ? 'exclusive' : 'shared'} hold ${h.id} (lines ${h.start + 1}-${h.end! + 1})`;
      violation(`lock file ${hold.k}: ${describe(hold)} overlapped ${describe(other)}`);
    }
    if (hold.end! > hold.start) set.add(hold);
  }

  if (report.acquisitions === 0) violation('no lock was acquired at all: the run proved nothing');
  return report;
}

/** The one-line summary. */
export function summary(report: TortureReport, context: string): string {
  const n = (value: number) => value.toLocaleString('en-US');
  return (
    `${context}: ${n(report.acquisitions)} acquisitions (${n(report.exclusive)} exclusive, ${n(report.shared)} shared), ` +
    `${n(report.timeouts)} timeouts, ${n(report.aborts)} aborts, ${n(report.kills)} kills (${n(report.killedHolding)} holding), ` +
    `${n(report.deletions)} deletions, ${n(report.truncations)} truncations, ${n(report.compromises)} compromises reported, ` +
    `${n(report.excusedOverlaps)} overlaps excused by a deletion, overlaps = ${n(report.overlaps)}, ` +
    `violations = ${n(report.violations)}`
  );
}
