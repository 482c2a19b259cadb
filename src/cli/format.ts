import path from 'node:path';
import type { HolderInfo } from '../index.js';

/** A path as the user would type it: relative to the working folder when inside it, else absolute. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** `42s`, `3m05s`, `2h07m`, `3d04h`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}

/** Local time, with the date when it is not today: `13:02:01` or `2026-11-22 13:02:01`. */
export function formatSince(since: Date, now = new Date()): string {
  const time = since.toTimeString().slice(0, 8);
  if (since.toDateString() === now.toDateString()) return time;
  const date = `${since.getFullYear()}-${String(since.getMonth() + 1).padStart(2, '0')}-${String(since.getDate()).padStart(2, '0')}`;
  return `${date} ${time}`;
}

/**
 * `held by pid 4242 (vi today.md) on host-a since 13:02:01 (3m05s)`; without the time for a holder that
 * recorded nothing (named by the kernel); or that nobody could be named.
 */
export function describeHolder(holder: HolderInfo | undefined, now = Date.now()): string {
  if (!holder) return 'held by a process that recorded nothing about itself (another tool?)';
  const command = holder.command ? ` (${holder.command})` : '';
  const since = holder.since
    ? ` since ${formatSince(holder.since, new Date(now))} (${formatDuration(now - holder.since.getTime())})`
    : ' (it recorded nothing: time unknown)';
  return `held by pid ${holder.pid}${command} on ${holder.hostname}${since}`;
}
