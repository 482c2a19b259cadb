import fs from 'node:fs';
import type { HolderRecord } from '../../../holder.js';
import { decodeHolder, hasOnlyRecordFields } from '../holder-json.js';

/**
 * The holder record in a kernel lock file: one JSON line whose first field says whether the lock is held.
 *
 *     {"state":"held","pid":4242,"hostname":"host-a","command":"node sync.js","mode":"exclusive","since":"…"}
 *
 * Where waiters poll (no sleeping waits: macOS, Windows), the holder rewrites the same bytes on release
 * with `"state":"free"`, so the line then names the last holder, and the write wakes the waiters that
 * watch the file. Where waiters sleep in flock (Linux), the release writes nothing: the record then names
 * the last holder, and `inspect` asks /proc/locks whether that process still holds the lock.
 * Writes overwrite bytes in place: truncating the file and writing it again costs ~12 µs on ext4 (the
 * block is freed and allocated on every acquisition), an overwrite ~1.5 µs. The file only grows: a
 * record shorter than the one before it is padded with spaces after its newline.
 *
 * The record is diagnostic, never used for exclusion, and is written only into a file that is ours beyond
 * doubt: one this process created as a lock file (O_EXCL, and not the caller's data file: see
 * `TryOptions.dataFile`), or one holding nothing but a locksmith record (held or free) in its exact
 * form: `{"state":` first, our fields in our order, a time in whole seconds, our padding after it. Any
 * other content (someone's data file used as its own lock file, a JSON file that merely has `pid`,
 * `hostname` and `since` fields, an empty file another tool made) is never written, truncated or
 * removed; `inspect` then names the holder from the kernel's table of locks where there is one (Linux).
 */

/** Where the four bytes of "held" / "free" start in the record line. */
const STATE_AT = '{"state":"'.length;
/** Records are short (the command is cut at 200 characters); a longer file is not ours. */
export const RECORD_READ = 4096;
/** The fields of a record line, in the order locksmith writes them (`mode` may be absent). */
const FIELDS = ['state', 'pid', 'hostname', 'command', 'mode', 'since'];
/** Every record's time has whole seconds: its line ends so. */
const LINE_END = '.000Z"}\n';
/**
 * How old (ms) a file's ctime must be when this process reads the file and finds its own bytes there,
 * for an unchanged ctime to prove later that nobody wrote since. Kernels before Linux 6.13's fine-grained
 * timestamps stamp a change with the time of the last clock tick (up to 10 ms old at HZ=100): another
 * holder writing its record within the tick of ours left the ctime as it was, and this process took its
 * own record to be there while the file named the other holder. A ctime older than one tick at the read
 * differs from that of any later write.
 */
export const CTIME_GRAIN_MS = 20;

/** What a file descriptor's records need to know about it. */
export interface RecordFile {
  readonly fd: number;
  readonly key: string;
  /**
   * This process created the file (O_EXCL) as a lock file, not as the caller's data file: it is ours even
   * while empty.
   */
  created: boolean;
  /** The bytes this process last wrote into the file, to recognise them without parsing. */
  lastWritten: Buffer | undefined;
  /** The record line in `lastWritten` (without padding), when it is a held record. */
  lastLine: string | undefined;
  /**
   * The stat of a moment when the file was known to hold `lastWritten`, written by nobody since, and whose
   * ctime was older than `CTIME_GRAIN_MS` then (see there).
   */
  seen: LockFileStat | undefined;
}

/** What a grant wrote, so that its release can mark it free. */
export interface WrittenRecord {
  /** The held record as written, padding included. */
  readonly bytes: Buffer;
}

/**
 * The state and holder of a locksmith record, or undefined when `text` is anything else. Only the exact
 * form locksmith writes counts (see the top of this file): a JSON line that merely has the same fields is
 * someone's data. Behind the line only our padding may follow, or the end of a longer record that a
 * shared co-holder wrote at the same moment (shared holders write concurrently and may leave a torn tail).
 */
export function parseRecord(text: string): { state: 'held' | 'free'; holder: HolderRecord } | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0 || !text.startsWith('{"state":"')) return undefined;
  const line = text.slice(0, newline + 1);
  if (!line.endsWith(LINE_END) || !ourTail(text.slice(newline + 1))) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (raw.state !== 'held' && raw.state !== 'free') return undefined;
  const keys = Object.keys(raw);
  const expected = FIELDS.filter((key) => key !== 'mode' || 'mode' in raw);
  if (keys.length !== expected.length || keys.some((key, i) => key !== expected[i])) return undefined;
  if (`${JSON.stringify(raw)}\n` !== line) return undefined; // our spelling: no spaces, no escapes of our own
  const holder = decodeHolder(line);
  if (holder === undefined || typeof raw.command !== 'string') return undefined;
  return { state: raw.state, holder };
}

/** Padding, or the end of a longer record line (ending as every record does) and its padding. */
function ourTail(tail: string): boolean {
  const trimmed = tail.replace(/ +$/, '');
  if (trimmed === '') return true;
  if (trimmed.indexOf('\n') !== trimmed.length - 1) return false;
  return trimmed.length <= LINE_END.length ? LINE_END.endsWith(trimmed) : trimmed.endsWith(LINE_END);
}

/** What the path's stat said about the lock file when it was just locked. */
export interface LockFileStat {
  readonly size: number;
  /** Any write, truncation or chmod changes it. */
  readonly ctimeNs: bigint;
}

/**
 * Write `holder`'s record into the file at `offset`. Returns undefined when the file is not ours beyond
 * doubt (left untouched) or the write failed (the record is diagnostic: a full disk must not turn a
 * granted lock into an error).
 *
 * The record's time has whole seconds, so a process that takes the same lock again within a second
 * records the same bytes: when the file still holds them (unchanged since this process last looked at it,
 * or read and compared), nothing is written. In a hot loop an acquisition then costs three system calls
 * (flock, stat, flock) instead of five, and no journaled write.
 */
export function writeRecord(
  file: RecordFile,
  offset: number,
  stat: LockFileStat,
  holder: HolderRecord,
): WrittenRecord | undefined {
  const { size } = stat;
  const line = heldLine(holder);
  const last = file.lastWritten;
  const sameBytes = last !== undefined && file.lastLine === line && size === offset + last.length;
  if (sameBytes && file.seen?.ctimeNs === stat.ctimeNs && file.seen.size === size) {
    return { bytes: last }; // unchanged since we last looked: our bytes are there
  }
  file.seen = undefined;
  if (size <= offset) {
    // Empty: ours only if this process made it as a lock file. Anyone's empty file may be their data.
    if (!file.created) return undefined;
  } else {
    const content = readRegion(file.fd, offset, size);
    if (content === undefined) return undefined;
    if (sameBytes && content.equals(last)) {
      if (Date.now() - Number(stat.ctimeNs) / 1e6 >= CTIME_GRAIN_MS) file.seen = stat;
      return { bytes: last };
    }
    if (!isOurRecord(content, last)) return undefined;
  }
  const length = Math.max(Buffer.byteLength(line), size - offset);
  const bytes = Buffer.alloc(length, ' ');
  bytes.write(line);
  try {
    fs.writeSync(file.fd, bytes, 0, length, offset);
  } catch {
    return undefined;
  }
  file.lastWritten = bytes;
  file.lastLine = line;
  return { bytes };
}

const pad = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * `new Date(second * 1000).toISOString()`, built from the UTC fields: the first `toISOString()` of a process
 * costs ~0.5 ms (V8 sets up its date formatting), a one-shot process's only date formatting is this one,
 * and the getters cost nothing. Years outside 1000-9999 (never a holder's) take `toISOString()`.
 */
export function isoSeconds(second: number): string {
  const date = new Date(second * 1000);
  const year = date.getUTCFullYear();
  if (!(year >= 1000 && year <= 9999)) return date.toISOString();
  const day = `${year}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  return `${day}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.000Z`;
}

/** The last held line encoded, and what it was encoded from: a hot loop asks for the same one many times. */
let lastLine: { second: number; holder: HolderRecord; line: string } | undefined;

/** Whether two holders give the same record within one second (a holder with other fields never does). */
function sameRecord(a: HolderRecord, b: HolderRecord): boolean {
  if (!hasOnlyRecordFields(a)) return false;
  return a.pid === b.pid && a.mode === b.mode && a.command === b.command && a.hostname === b.hostname;
}

/** The held record line of `holder`, with the time in whole seconds. */
function heldLine(holder: HolderRecord): string {
  const second = Math.floor(holder.since.getTime() / 1000);
  const last = lastLine;
  if (last?.second === second && sameRecord(holder, last.holder)) return last.line;
  // Built field by field: the order is part of what makes a record recognisably ours.
  const fields = {
    state: 'held',
    pid: holder.pid,
    hostname: holder.hostname,
    command: holder.command,
    ...(holder.mode ? { mode: holder.mode } : {}),
    since: isoSeconds(second),
  };
  const line = `${JSON.stringify(fields)}\n`;
  lastLine = { second, holder, line };
  return line;
}

/**
 * Mark the record written by `written` free, if the file still holds exactly it (else someone wrote the
 * file since: it is left alone). Called while holding. Only the four bytes of the state change.
 */
export function clearRecord(file: RecordFile, offset: number, written: WrittenRecord): void {
  try {
    const content = readRegion(file.fd, offset, fs.fstatSync(file.fd).size);
    if (content === undefined || !content.equals(written.bytes)) return;
    fs.writeSync(file.fd, 'free', offset + STATE_AT);
    const free = Buffer.from(written.bytes);
    free.write('free', STATE_AT);
    file.lastWritten = free;
    file.lastLine = undefined;
    file.seen = undefined;
  } catch {
    // Diagnostic housekeeping: the unlock that follows is what matters.
  }
}

/**
 * Mark free whatever locksmith record the file holds (a shared co-holder's, say), when this process holds the
 * lock exclusively. Someone else's content stays untouched.
 */
export function clearAnyRecord(file: RecordFile, offset: number): void {
  try {
    const content = readRegion(file.fd, offset, fs.fstatSync(file.fd).size);
    if (content === undefined || parseRecord(content.toString('utf8'))?.state !== 'held') return;
    fs.writeSync(file.fd, 'free', offset + STATE_AT);
  } catch {
    // Diagnostic housekeeping, as above.
  }
}

/**
 * Whether the file holds nothing but locksmith's records (or nothing at all): a lock file that
 * `removeOnRelease` may remove. Anything else is someone's data.
 */
export function onlyRecords(fd: number, offset: number): boolean {
  let size: number;
  try {
    size = fs.fstatSync(fd).size;
  } catch {
    return false;
  }
  if (size <= offset) return true;
  const content = readRegion(fd, offset, size);
  return content !== undefined && parseRecord(content.toString('utf8')) !== undefined;
}

/** The current holder named by the file's record, if it holds a held locksmith record. */
export function readHolder(fd: number, offset: number): HolderRecord | undefined {
  const buffer = Buffer.alloc(RECORD_READ + 1);
  let length: number;
  try {
    length = fs.readSync(fd, buffer, 0, RECORD_READ + 1, offset);
  } catch {
    return undefined;
  }
  if (length > RECORD_READ) return undefined; // longer than any record: not ours
  const record = parseRecord(buffer.toString('utf8', 0, length));
  return record?.state === 'held' ? record.holder : undefined;
}

/**
 * The file's content from `offset` to `size`; undefined when there is none, it is longer than any record
 * (so not ours), or it cannot be read.
 */
function readRegion(fd: number, offset: number, size: number): Buffer | undefined {
  if (size <= offset || size - offset > RECORD_READ) return undefined;
  try {
    const buffer = Buffer.allocUnsafe(size - offset);
    const length = fs.readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.subarray(0, length);
  } catch {
    return undefined;
  }
}

/** Whether `content` is a locksmith record: the bytes we last wrote, a crashed holder's, a co-holder's, a free one. */
function isOurRecord(content: Buffer, lastWritten: Buffer | undefined): boolean {
  if (lastWritten !== undefined && content.equals(lastWritten)) return true;
  return parseRecord(content.toString('utf8')) !== undefined;
}
