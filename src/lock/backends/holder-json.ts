import { type HolderRecord, shortenCommand } from '../../holder.js';
import { ownHostname } from '../../host.js';

function shortCommand(): string {
  return shortenCommand(process.argv0 || process.execPath, process.argv.slice(1));
}

let cachedCommand: string | undefined;

/** The record this process writes when it takes a lock. */
export function currentHolder(mode: 'exclusive' | 'shared'): HolderRecord {
  cachedCommand ??= shortCommand();
  return { pid: process.pid, hostname: ownHostname(), command: cachedCommand, since: new Date(), mode };
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
  if (holder.pid !== process.pid || holder.command !== cachedCommand || holder.hostname !== ownHostname()) {
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
