import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { NotRegularFileError, UnsafeFileError } from '../fs/errors.js';
import { openRegular, readRegular } from '../fs/open-regular.js';
import { ownHostname } from '../host.js';
import { nodeCrypto } from '../lazy-node.js';
import { MAX_AUDIT_LINE_BYTES } from './constants.js';
import { CheckoutAuditError, CheckoutInvalidArgumentError } from './errors.js';

/** What an audit line records. `reverted` follows an event whose registry write then failed. */
export type AuditEventKind = 'checkout' | 'checkin' | 'break' | 'reverted';

/** What every line of `.locksmith/audit.jsonl` has. */
interface AuditLine {
  /** Random; a `reverted` line names the `id` it cancels in `of`. */
  readonly id: string;
  readonly at: Date;
  /** The machine and process that wrote the line. */
  readonly host: string;
  readonly pid: number;
}

/** What a `checkout`, `checkin` or `break` line says about the check-out. */
interface AuditChange extends AuditLine {
  /** The file, relative to the root. */
  readonly file: string;
  /** The holder: the new one for `checkout`, the one checking in or broken for `checkin` and `break`. */
  readonly owner: string;
  /** Who did it: the owner for `checkout` and `checkin`, the administrator for `break`. */
  readonly by: string;
  /** The check-out message (for `break`, the broken check-out's). */
  readonly message?: string;
}

/** A file was checked out. */
export interface CheckoutAuditEvent extends AuditChange {
  readonly event: 'checkout';
}

/** A check-out ended by its holder. */
export interface CheckinAuditEvent extends AuditChange {
  readonly event: 'checkin';
  /** When the check-out it ends began. */
  readonly checkedOutAt: Date;
}

/** A check-out broken by an administrator. */
export interface BreakAuditEvent extends AuditChange {
  readonly event: 'break';
  /** Why it was broken. */
  readonly reason: string;
  /** When the check-out it ends began. */
  readonly checkedOutAt: Date;
}

/** The event `of` was cancelled: its registry write failed with the code `error`. */
export interface RevertedAuditEvent extends AuditLine {
  readonly event: 'reverted';
  readonly of: string;
  readonly error: string;
}

/** One line of `.locksmith/audit.jsonl`, a union keyed on `event`: `switch (e.event)` narrows it. */
export type AuditEvent = CheckoutAuditEvent | CheckinAuditEvent | BreakAuditEvent | RevertedAuditEvent;

type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event to append: the log adds `id`, `host`, `pid`, and `at` (now) unless given. */
export type NewAuditEvent = OmitEach<AuditEvent, 'id' | 'at' | 'host' | 'pid'> & { at?: Date };

/** A `checkin` or `break` to append, before the registry adds when the check-out began. */
export type NewReleaseEvent = OmitEach<
  CheckinAuditEvent | BreakAuditEvent,
  'id' | 'at' | 'host' | 'pid' | 'checkedOutAt'
>;

/** The fields each kind of line must have, beyond `id`, `at`, `host` and `pid`. */
const REQUIRED: Record<AuditEventKind, readonly string[]> = {
  checkout: ['file', 'owner', 'by'],
  checkin: ['file', 'owner', 'by', 'checkedOutAt'],
  break: ['file', 'owner', 'by', 'reason', 'checkedOutAt'],
  reverted: ['of', 'error'],
};

/**
 * A line of the log that is not an event as locksmith writes it: a torn last line after a power cut, a
 * hand edit, a line appended by another program. Such lines are reported, never taken as events.
 */
export interface UnreadableAuditLine {
  /** 1-based. */
  readonly line: number;
  readonly text: string;
  /** Why it is not an event: `'not JSON'`, or what differs from the lines locksmith writes. */
  readonly reason: string;
}

export { MAX_AUDIT_LINE_BYTES };

const HOST = ownHostname();

/**
 * Append one event as one JSON line with one `write` on an O_APPEND descriptor. Called under the registry
 * lock, so appends of locksmith processes never interleave. If the log does not end with a newline (a
 * writer lost power midway), a newline goes first so the torn line stays on its own.
 *
 * @throws {CheckoutInvalidArgumentError} when the line would exceed {@link MAX_AUDIT_LINE_BYTES}.
 * @throws {CheckoutAuditError} `CHECKOUT_AUDIT` when the log cannot be opened, read or written.
 */
export async function appendAuditEvent(
  file: string,
  event: NewAuditEvent,
  durable: boolean,
): Promise<AuditEvent> {
  const full: AuditEvent = {
    id: nodeCrypto().randomBytes(6).toString('hex'),
    ...event,
    at: event.at ?? new Date(),
    host: HOST,
    pid: process.pid,
  };
  const line = `${JSON.stringify(full)}\n`;
  if (Buffer.byteLength(line) > MAX_AUDIT_LINE_BYTES - 1) {
    throw new CheckoutInvalidArgumentError(
      `the audit line would be ${Buffer.byteLength(line)} bytes, over ${MAX_AUDIT_LINE_BYTES - 1}: shorten the message or reason`,
    );
  }
  let handle: FileHandle | undefined;
  let step = 'open';
  try {
    // Never blocks on a FIFO, never follows a link, never appends to a file that has other names: a
    // link planted in a shared folder must not make root append to a file of the planter's choosing.
    handle = await openRegular(file, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND, {
      mode: 0o666,
      singleLink: true,
    });
    step = 'read';
    const { size } = await handle.stat();
    let data = Buffer.from(line);
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) data = Buffer.from(`\n${line}`);
    }
    step = 'append to';
    const { bytesWritten } = await handle.write(data, 0, data.length);
    if (bytesWritten !== data.length) {
      throw new Error(`short write: ${bytesWritten} of ${data.length} bytes`);
    }
    if (durable) {
      step = 'sync';
      await handle.datasync();
    }
  } catch (error) {
    if (error instanceof NotRegularFileError || error instanceof UnsafeFileError) throw error;
    throw new CheckoutAuditError(file, step, error);
  } finally {
    await handle?.close().catch(() => {});
  }
  return full;
}

const KINDS = new Set(['checkout', 'checkin', 'break', 'reverted']);
const TEXT_FIELDS = [
  'id',
  'at',
  'event',
  'file',
  'owner',
  'by',
  'message',
  'reason',
  'checkedOutAt',
  'of',
  'error',
  'host',
];
const FIELDS = new Set([...TEXT_FIELDS, 'pid']);
const ISO = (text: unknown) =>
  typeof text === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(text);

/**
 * The event of one line, or why it is not one. A line is an event only in the exact form locksmith
 * writes: `JSON.stringify` of known fields, a 12-hex-digit id, ISO dates, the writer's host and pid.
 * That form is no proof (anyone who can write the folder can copy it); it sets hand edits and other
 * programs' lines apart, which the log then reports instead of mixing them with the events.
 */
function toEvent(line: string): AuditEvent | string {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not a JSON object';
  const r = raw as Record<string, unknown>;
  if (JSON.stringify(r) !== line) return 'not in the form locksmith writes (spacing or escapes differ)';
  const unknown = Object.keys(r).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) return `has a field locksmith does not write: ${unknown}`;
  const notText = TEXT_FIELDS.find((key) => r[key] !== undefined && typeof r[key] !== 'string');
  if (notText !== undefined) return `${notText} is not a string`;
  if (typeof r.event !== 'string' || !KINDS.has(r.event)) return 'no known event';
  if (typeof r.id !== 'string' || !/^[0-9a-f]{12}$/.test(r.id)) return 'no id as locksmith makes them';
  if (!ISO(r.at) || (r.checkedOutAt !== undefined && !ISO(r.checkedOutAt)))
    return 'a date is not ISO 8601 UTC';
  if (typeof r.host !== 'string' || !Number.isSafeInteger(r.pid) || (r.pid as number) <= 0) {
    return 'no writing host and pid';
  }
  const missing = REQUIRED[r.event as AuditEventKind].find((key) => r[key] === undefined);
  if (missing !== undefined) return `a ${r.event} line without ${missing}`;
  const checkedOutAt = r.checkedOutAt === undefined ? undefined : new Date(r.checkedOutAt as string);
  return {
    ...(r as object),
    at: new Date(r.at as string),
    ...(checkedOutAt ? { checkedOutAt } : {}),
  } as AuditEvent;
}

/**
 * Read the audit log: every event in order, and the lines that are not events (reported, never dropped
 * silently). A missing log has no events. The log records; it does not authenticate: anyone who can
 * write `.locksmith/` can append a line in locksmith's form, and it is then read as an event.
 *
 * @throws {CheckoutAuditError} `CHECKOUT_AUDIT` when the log exists but cannot be read.
 * @throws {NotRegularFileError} `FILE_NOT_REGULAR` when it is a FIFO, a socket or a device.
 * @throws {UnsafeFileError} `FILE_UNSAFE` when it is a symbolic link.
 */
export async function readAuditLog(
  file: string,
): Promise<{ events: AuditEvent[]; unreadable: UnreadableAuditLine[] }> {
  let text: string;
  try {
    text = (await readRegular(file)).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], unreadable: [] };
    if (error instanceof NotRegularFileError || error instanceof UnsafeFileError) throw error;
    throw new CheckoutAuditError(file, 'read', error);
  }
  const events: AuditEvent[] = [];
  const unreadable: UnreadableAuditLine[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const event = toEvent(line);
    if (typeof event === 'string') unreadable.push({ line: index + 1, text: line, reason: event });
    else events.push(event);
  }
  return { events, unreadable };
}
