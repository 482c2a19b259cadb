import os from 'node:os';
import path from 'node:path';

/** Who holds a lock. Diagnostic only: never used to decide exclusion. */
export interface HolderInfo {
  pid: number;
  hostname: string;
  /** The holder's command line, shortened (e.g. `node sync.js`). */
  command: string;
  /**
   * When it took the lock. Absent for a holder known only from the kernel's table of locks (Linux's
   * `/proc/locks`): a tool that records nothing about itself, such as util-linux `flock` or Python's filelock.
   */
  since?: Date;
  /** `'exclusive'` or `'shared'`, when the holder recorded it. */
  mode?: 'exclusive' | 'shared';
}

/** A holder as a locking process records itself: the time is always known. */
export interface HolderRecord extends HolderInfo {
  since: Date;
}

const MAX_COMMAND = 200;

/**
 * A command line as records show it: the program's and an absolute script's base names, then the
 * arguments, cut at 200 characters (`node sync.js --fast`).
 */
export function shortenCommand(program: string, argv: readonly string[]): string {
  const [script, ...args] = argv;
  const parts = [path.basename(program)];
  if (script !== undefined) parts.push(path.isAbsolute(script) ? path.basename(script) : script);
  parts.push(...args);
  const command = parts.join(' ');
  return command.length > MAX_COMMAND ? `${command.slice(0, MAX_COMMAND - 1)}…` : command;
}

function shortCommand(): string {
  return shortenCommand(process.argv0 || process.execPath, process.argv.slice(1));
}

let cachedCommand: string | undefined;
let cachedHostname: string | undefined;

/** The record this process writes when it takes a lock. */
export function currentHolder(mode: 'exclusive' | 'shared'): HolderRecord {
  cachedCommand ??= shortCommand();
  cachedHostname ??= os.hostname();
  return { pid: process.pid, hostname: cachedHostname, command: cachedCommand, since: new Date(), mode };
}

/**
 * One JSON line, so tools like `cat` show it and a partial write is detectably incomplete. Anything after
 * the first newline is ignored by `decodeHolder`, so a record may be written over a longer old one
 * without truncating the file first.
 */
export function encodeHolder(holder: HolderRecord): string {
  const since = holder.since.toISOString();
  const own = ownPrefix(holder);
  if (own !== undefined) return `${own}${since}"}\n`;
  return `${JSON.stringify({ ...holder, since })}\n`;
}

/** This process's record up to `since`, built once per mode: encoding it is on every acquisition. */
const prefixes = new Map<string, string>();
const RECORD_KEYS = new Set(['pid', 'hostname', 'command', 'since', 'mode']);

/** Whether `holder` has only the fields of a holder record (the lease backend adds its token and lease). */
export function hasOnlyRecordFields(holder: HolderRecord): boolean {
  for (const key in holder) if (!RECORD_KEYS.has(key)) return false;
  return true;
}

function ownPrefix(holder: HolderRecord): string | undefined {
  if (holder.pid !== process.pid || holder.command !== cachedCommand || holder.hostname !== cachedHostname) {
    return undefined;
  }
  // Records with more fields (the lease backend adds its token and lease) take the general path.
  if (!hasOnlyRecordFields(holder)) return undefined;
  const mode = holder.mode ?? '';
  let prefix = prefixes.get(mode);
  if (prefix === undefined) {
    const fields = {
      pid: holder.pid,
      hostname: holder.hostname,
      command: holder.command,
      ...(holder.mode ? { mode: holder.mode } : {}),
    };
    prefix = `${JSON.stringify(fields).slice(0, -1)},"since":"`;
    prefixes.set(mode, prefix);
  }
  return prefix;
}

/**
 * Parse a holder record. Other tools truncate or rewrite lock files (Python filelock opens them with
 * O_TRUNC), so anything that is not a complete record yields `undefined` instead of an error.
 */
export function decodeHolder(text: string): HolderRecord | undefined {
  const line = text.split('\n', 1)[0]?.trim();
  if (!line) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.pid !== 'number' || typeof r.hostname !== 'string' || typeof r.since !== 'string')
    return undefined;
  const since = new Date(r.since);
  if (Number.isNaN(since.getTime())) return undefined;
  const holder: HolderRecord = {
    pid: r.pid,
    hostname: r.hostname,
    command: typeof r.command === 'string' ? r.command : '',
    since,
  };
  if (r.mode === 'exclusive' || r.mode === 'shared') holder.mode = r.mode;
  return holder;
}

/** "pid 4242 (node sync.js) on host-a since 12:03:01" (without the time when it is not known) */
export function formatHolder(holder: HolderInfo): string {
  const command = holder.command ? ` (${holder.command})` : '';
  const since = holder.since ? ` since ${holder.since.toTimeString().slice(0, 8)}` : '';
  return `pid ${holder.pid}${command} on ${holder.hostname}${since}`;
}
