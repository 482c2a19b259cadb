import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { CheckoutAuditError, CheckoutInvalidArgumentError } from './errors.js';

/** What an audit line records. `reverted` follows an event whose registry write then failed. */
export type AuditEventKind = 'checkout' | 'checkin' | 'break' | 'reverted';

/** One line of `.locksmith/audit.jsonl`. */
export interface AuditEvent {
  /** Random; a `reverted` line names the `id` it cancels in `of`. */
  readonly id: string;
  readonly at: Date;
  readonly event: AuditEventKind;
  /** The file, relative to the root (absent on `reverted`). */
  readonly file?: string;
  /** The holder: the new one for `checkout`, the one checking in or broken for `checkin` and `break`. */
  readonly owner?: string;
  /** Who did it: the owner for `checkout` and `checkin`, the administrator for `break`. */
  readonly by?: string;
  /** The check-out message (for `break`, the broken check-out's). */
  readonly message?: string;
  /** Why a check-out was broken. */
  readonly reason?: string;
  /** When the check-out that a `checkin` or `break` ends began. */
  readonly checkedOutAt?: Date;
  /** For `reverted`: the id of the cancelled event, and the error code that cancelled it. */
  readonly of?: string;
  readonly error?: string;
  /** The machine and process that wrote the line. */
  readonly host: string;
  readonly pid: number;
}

/** An event to append: the log adds `id`, `host`, `pid`, and `at` (now) unless given. */
export type NewAuditEvent = Omit<AuditEvent, 'id' | 'at' | 'host' | 'pid' | 'checkedOutAt'> & {
  at?: Date;
  checkedOutAt?: Date;
};

/** A line of the log that is not a readable event (a torn last line after a power cut, a hand edit). */
export interface UnreadableAuditLine {
  /** 1-based. */
  readonly line: number;
  readonly text: string;
}

/**
 * Below PIPE_BUF (4096 on Linux): one `write` of an O_APPEND file that size lands whole on local
 * filesystems even next to writers that do not take the registry lock.
 */
export const MAX_AUDIT_LINE_BYTES = 4096;

const HOST = hostname();

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
    id: randomBytes(6).toString('hex'),
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
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let step = 'open';
  try {
    handle = await open(file, 'a+', 0o666);
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
    throw new CheckoutAuditError(file, step, error);
  } finally {
    await handle?.close().catch(() => {});
  }
  return full;
}

function toEvent(raw: unknown): AuditEvent | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || typeof r.at !== 'string' || typeof r.event !== 'string') return undefined;
  if (!['checkout', 'checkin', 'break', 'reverted'].includes(r.event)) return undefined;
  const at = new Date(r.at);
  if (Number.isNaN(at.getTime())) return undefined;
  const checkedOutAt = typeof r.checkedOutAt === 'string' ? new Date(r.checkedOutAt) : undefined;
  return {
    ...(r as object),
    at,
    ...(checkedOutAt ? { checkedOutAt } : {}),
    host: typeof r.host === 'string' ? r.host : '',
    pid: typeof r.pid === 'number' ? r.pid : 0,
  } as AuditEvent;
}

/**
 * Read the audit log: every event in order, and the lines that are not events (reported, never dropped
 * silently). A missing log has no events.
 *
 * @throws {CheckoutAuditError} `CHECKOUT_AUDIT` when the log exists but cannot be read.
 */
export async function readAuditLog(
  file: string,
): Promise<{ events: AuditEvent[]; unreadable: UnreadableAuditLine[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], unreadable: [] };
    throw new CheckoutAuditError(file, 'read', error);
  }
  const events: AuditEvent[] = [];
  const unreadable: UnreadableAuditLine[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let event: AuditEvent | undefined;
    try {
      event = toEvent(JSON.parse(line));
    } catch {
      event = undefined;
    }
    if (event) events.push(event);
    else unreadable.push({ line: index + 1, text: line });
  }
  return { events, unreadable };
}
