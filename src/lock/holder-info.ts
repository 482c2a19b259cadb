import os from 'node:os';
import path from 'node:path';

/** Who holds a lock. Diagnostic only: never used to decide exclusion. */
export interface HolderInfo {
  pid: number;
  hostname: string;
  /** The holder's command line, shortened (e.g. `node sync.js`). */
  command: string;
  since: Date;
  /** `'exclusive'` or `'shared'`, when the holder recorded it. */
  mode?: 'exclusive' | 'shared';
}

const MAX_COMMAND = 200;

function shortCommand(): string {
  const [, script, ...args] = process.argv;
  const parts = [path.basename(process.argv0 || process.execPath)];
  if (script) parts.push(path.isAbsolute(script) ? path.basename(script) : script);
  parts.push(...args);
  const command = parts.join(' ');
  return command.length > MAX_COMMAND ? `${command.slice(0, MAX_COMMAND - 1)}…` : command;
}

let cachedCommand: string | undefined;
let cachedHostname: string | undefined;

/** The record this process writes when it takes a lock. */
export function currentHolder(mode: 'exclusive' | 'shared'): HolderInfo {
  cachedCommand ??= shortCommand();
  cachedHostname ??= os.hostname();
  return { pid: process.pid, hostname: cachedHostname, command: cachedCommand, since: new Date(), mode };
}

/**
 * One JSON line, so tools like `cat` show it and a partial write is detectably incomplete. Anything after
 * the first newline is ignored by `decodeHolder`, so a record may be written over a longer old one
 * without truncating the file first.
 */
export function encodeHolder(holder: HolderInfo): string {
  const since = holder.since.toISOString();
  const own = ownPrefix(holder);
  if (own !== undefined) return `${own}${since}"}\n`;
  return `${JSON.stringify({ ...holder, since })}\n`;
}

/** This process's record up to `since`, built once per mode: encoding it is on every acquisition. */
const prefixes = new Map<string, string>();
const RECORD_KEYS = new Set(['pid', 'hostname', 'command', 'since', 'mode']);

function ownPrefix(holder: HolderInfo): string | undefined {
  if (holder.pid !== process.pid || holder.command !== cachedCommand || holder.hostname !== cachedHostname) {
    return undefined;
  }
  // Records with more fields (the lease backend adds its token and lease) take the general path.
  for (const key in holder) if (!RECORD_KEYS.has(key)) return undefined;
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
export function decodeHolder(text: string): HolderInfo | undefined {
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
  const holder: HolderInfo = {
    pid: r.pid,
    hostname: r.hostname,
    command: typeof r.command === 'string' ? r.command : '',
    since,
  };
  if (r.mode === 'exclusive' || r.mode === 'shared') holder.mode = r.mode;
  return holder;
}

/** "pid 4242 (node sync.js) on host-a since 12:03:01" */
export function formatHolder(holder: HolderInfo): string {
  const command = holder.command ? ` (${holder.command})` : '';
  const time = holder.since.toTimeString().slice(0, 8);
  return `pid ${holder.pid}${command} on ${holder.hostname} since ${time}`;
}
