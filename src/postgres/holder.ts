import type { HolderRecord } from '../holder.js';

/** PostgreSQL keeps at most 63 bytes of `application_name`, and turns non-ASCII characters into `?`. */
const MAX = 63;
const TAG = 'locksmith';

/**
 * The holder as an `application_name`: `locksmith <pid> <since, ms in base 36> <host> <command>`, in
 * printable ASCII, cut at 63 bytes (the command goes first, then the host).
 */
export function holderToApplicationName(holder: HolderRecord): string {
  const ascii = (text: string) => text.replace(/[^\x20-\x7e]/g, '?');
  const host = ascii(holder.hostname).replace(/ /g, '_') || '?';
  const text = `${TAG} ${holder.pid} ${holder.since.getTime().toString(36)} ${host} ${ascii(holder.command)}`;
  return text.length > MAX ? text.slice(0, MAX) : text.trimEnd();
}

/** The holder from an `application_name`, or `undefined` when it is not one of ours. */
export function holderFromApplicationName(
  applicationName: string | null | undefined,
): HolderRecord | undefined {
  const match = /^locksmith (\d+) ([0-9a-z]+) (\S+) ?(.*)$/.exec(applicationName ?? '');
  if (!match) return undefined;
  const since = new Date(Number.parseInt(match[2]!, 36));
  if (Number.isNaN(since.getTime())) return undefined;
  return { pid: Number(match[1]), hostname: match[3]!, command: match[4] ?? '', since };
}
