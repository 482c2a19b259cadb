import path from 'node:path';

// A leaf module: who holds a lock, and how it is shown. Imported by src/errors.ts, so it imports no
// other src/ file.

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

/** "pid 4242 (node sync.js) on host-a since 12:03:01" (without the time when it is not known) */
export function formatHolder(holder: HolderInfo): string {
  const command = holder.command ? ` (${holder.command})` : '';
  const since = holder.since ? ` since ${holder.since.toTimeString().slice(0, 8)}` : '';
  return `pid ${holder.pid}${command} on ${holder.hostname}${since}`;
}
