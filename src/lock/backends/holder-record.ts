import fs from 'node:fs';
import { decodeHolder, encodeHolder, type HolderRecord, hasOnlyRecordFields } from '../holder-info.js';

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
 * The record is diagnostic, never used for exclusion, and is written only into a file that is ours:
 * holding a locksmith record (held or free), or empty. An empty file we did not create and that is not
 * named `*.lock` may be someone's data file locked flock(1)-style: it gets a record while we hold it and is
 * truncated back to empty on release, so it ends as we found it.
 */

const HELD = '{"state":"held",';
/** Where the four bytes of "held" / "free" start in the record line. */
const STATE_AT = '{"state":"'.length;
/** Records are short (the command is cut at 200 characters); a longer file is not ours. */
export const RECORD_READ = 4096;

/** What a file descriptor's records need to know about it. */
export interface RecordFile {
  readonly fd: number;
  readonly key: string;
  /** This process created the file (O_EXCL), so it is a lock file even while empty. */
  created: boolean;
  /** The bytes this process last wrote into the file, to recognise them without parsing. */
  lastWritten: Buffer | undefined;
  /** The record line in `lastWritten` (without padding), when it is a held record. */
  lastLine: string | undefined;
  /** The stat of a moment when the file was known to hold `lastWritten`, written by nobody since. */
  seen: LockFileStat | undefined;
}

/** What a grant wrote, so that its release can undo it. */
export interface WrittenRecord {
  /** The held record as written, padding included. */
  readonly bytes: Buffer;
  /** The file was empty and may not be ours: truncate it back instead of leaving a free record. */
  readonly restoreEmpty: boolean;
}

/** The state and holder of a record's text (its first line); undefined when it is not a locksmith record. */
export function parseRecord(text: string): { state: 'held' | 'free'; holder: HolderRecord } | undefined {
  const holder = decodeHolder(text);
  if (holder === undefined) return undefined;
  return { state: text.startsWith('{"state":"free"') ? 'free' : 'held', holder };
}

/** What the path's stat said about the lock file when it was just locked. */
export interface LockFileStat {
  readonly size: number;
  /** Any write, truncation or chmod changes it. */
  readonly ctimeNs: bigint;
}

/**
 * Write `holder`'s record into the file at `offset`. Returns undefined when the file holds someone else's
 * content (left untouched) or the write failed (the record is diagnostic: a full disk must not turn a
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
    return { bytes: last, restoreEmpty: false }; // unchanged since we last looked: our bytes are there
  }
  file.seen = undefined;
  let restoreEmpty = false;
  if (size <= offset) {
    restoreEmpty = !file.created && !file.key.endsWith('.lock');
  } else {
    const content = readRegion(file.fd, offset, size);
    if (content === undefined) return undefined;
    if (sameBytes && content.equals(last)) {
      file.seen = stat;
      return { bytes: last, restoreEmpty: false };
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
  file.lastWritten = restoreEmpty ? undefined : bytes;
  file.lastLine = restoreEmpty ? undefined : line;
  return { bytes, restoreEmpty };
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
  const line = `${HELD}${encodeHolder({ ...holder, since: new Date(second * 1000) }).slice(1)}`;
  lastLine = { second, holder, line };
  return line;
}

/** Mark the record written by `written` free (or truncate the file back to empty). Called while holding. */
export function clearRecord(file: RecordFile, offset: number, written: WrittenRecord): void {
  try {
    if (written.restoreEmpty) {
      fs.ftruncateSync(file.fd, offset);
      return;
    }
    const free = Buffer.from(written.bytes);
    free.write('free', STATE_AT);
    fs.writeSync(file.fd, free, 0, free.length, offset);
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
    content.write('free', STATE_AT);
    fs.writeSync(file.fd, content, 0, content.length, offset);
  } catch {
    // Diagnostic housekeeping, as above.
  }
}

/** The current holder named by the file's record, if it holds a held locksmith record. */
export function readHolder(fd: number, offset: number): HolderRecord | undefined {
  const buffer = Buffer.alloc(RECORD_READ);
  let length: number;
  try {
    length = fs.readSync(fd, buffer, 0, RECORD_READ, offset);
  } catch {
    return undefined;
  }
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
  // Its first line only: shared holders write their records concurrently and may leave a torn tail.
  return parseRecord(content.toString('utf8')) !== undefined;
}
