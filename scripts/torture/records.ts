// The torture log: one JSON object per line, appended with O_APPEND by every worker and by the conductor.
// O_APPEND makes each small write land whole at the end of the file, so the order of lines is one total
// order of the events of all processes: the checker needs no clocks.
import fs from 'node:fs';

/** A task's lock attempt ended in a hold: written after the lock is held. */
export interface EnterRecord {
  e: 'in';
  /** Worker id (unique per process, replacements get new ones), task index, hold number. */
  w: number;
  t: number;
  n: number;
  /** Lock file index. */
  k: number;
  /** 'x' exclusive, 's' shared. */
  m: 'x' | 's';
}

/** Written before the release starts. */
export interface ExitRecord {
  e: 'out';
  w: number;
  t: number;
  n: number;
  /** 1 when `handle.signal` had aborted (LOCK_COMPROMISED) by then. */
  lost?: 1;
}

/** A lock attempt that did not end in a hold. */
export interface MissRecord {
  e: 'timeout' | 'abort';
  w: number;
  t: number;
}

/** Anything a worker did not expect (an error other than LOCK_TIMEOUT or its own abort). */
export interface ErrorRecord {
  e: 'error';
  w: number;
  t?: number;
  code?: string;
  message: string;
}

/** Written by the conductor. */
export type ConductorRecord =
  | { e: 'start'; w: number; pid: number }
  /** Written just before SIGKILL is sent: the worker is alive, holding what it holds, at this point. */
  | { e: 'kill'; w: number }
  /** How a worker process ended; `expected` is false for anything but a clean stop or our own SIGKILL. */
  | { e: 'exit'; w: number; code: number | null; signal: string | null; expected: boolean }
  /** Around an outside removal (`p: 0` before unlink, `p: 1` after) or truncation of lock file `k`. */
  | { e: 'delete' | 'truncate'; k: number; p: 0 | 1 };

export type TortureRecord = EnterRecord | ExitRecord | MissRecord | ErrorRecord | ConductorRecord;

/** The file of the store variant: a count, and per task (`worker.task`) how many of its updates it holds. */
export interface Counter {
  count: number;
  applied: Record<string, number>;
}

/** An O_APPEND writer of records. Synchronous, so a record is in the file before the next step runs. */
export class RecordLog {
  readonly #fd: number;
  #closed = false;

  constructor(file: string) {
    this.#fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o644);
  }

  /** Append one record; after `close` (a late event while shutting down) it is dropped. */
  write(record: TortureRecord): void {
    if (this.#closed) return;
    fs.writeSync(this.#fd, `${JSON.stringify(record)}\n`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    fs.closeSync(this.#fd);
  }
}

/** At most this many problems of a run are described; all of them are counted. */
export const MAX_DETAILS = 20;

/** What a checker's report keeps of the problems it finds. */
export interface Violations {
  violations: number;
  details: string[];
}

/** A function that counts one problem in `report`, describing the first `MAX_DETAILS`. */
export function violationRecorder(report: Violations): (detail: string) => void {
  return (detail) => {
    report.violations++;
    if (report.details.length < MAX_DETAILS) report.details.push(detail);
  };
}
