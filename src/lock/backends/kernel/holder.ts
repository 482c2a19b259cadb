import fs from 'node:fs';
import { type HolderInfo, type HolderRecord, shortenCommand } from '../../../holder.js';
import { ownHostname, processGone } from '../../../host.js';
import { type FlockEntry, hasOpen } from './proc-locks.js';

/**
 * Naming a holder that recorded nothing about itself (util-linux flock, Python's filelock, a shell's
 * `flock 9`), from the kernel's table of locks (Linux's /proc/locks): its pid, its command line from
 * /proc/<pid>/cmdline, and the mode it holds. The time it took the lock is not known.
 *
 * The table names the process that *took* the lock, which may have exited since, the lock living on in a
 * child that shares its descriptor (`exec 9>f; flock 9` leaves the dead `flock` command's pid): its pid
 * may even belong to another process by now. So a pid is named only when that process is alive and has
 * the lock file open (checked in /proc/<pid>/fd, where that can be read: another user's process cannot
 * be looked into, and is named while alive). Diagnostic only, like the holder record.
 */
export function kernelHolder(locks: readonly FlockEntry[], dev: bigint, ino: bigint): HolderInfo | undefined {
  for (const { pid, mode } of locks) {
    if (pid <= 0) continue;
    const open = hasOpen(pid, dev, ino);
    if (open === false || (open === undefined && processGone(pid))) continue;
    return { pid, hostname: ownHostname(), command: commandOf(pid), mode };
  }
  return undefined;
}

/** The shortened command line of `pid`, or '' when it cannot be read. */
function commandOf(pid: number): string {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
  const [program, ...argv] = text.replace(/\0$/, '').split('\0');
  return program ? shortenCommand(program, argv) : '';
}

/**
 * Whether the process a holder record names is dead (it is on this host and its pid is gone). A holder
 * killed by a signal cannot clear its record, and tools that record nothing (util-linux flock) leave it
 * in place when they take the lock next: such a record names a past holder, not the current one.
 */
function provablyGone(holder: HolderInfo): boolean {
  if (holder.hostname !== ownHostname() || holder.pid === process.pid) return false;
  return processGone(holder.pid);
}

/**
 * Whether the kernel's list of flock locks of this file (Linux) shows that the recorded process of this
 * host does not hold it: where waiters sleep in the kernel, releases do not rewrite the record, so after a
 * release it names the last holder, which may no longer be the current one.
 */
function provablyNotHolding(holder: HolderInfo, locks: readonly FlockEntry[] | undefined): boolean {
  if (holder.hostname !== ownHostname()) return false;
  return locks !== undefined && !locks.some((entry) => entry.pid === holder.pid);
}

/**
 * Who holds the lock, for `inspect`: the holder record names it unless it is provably someone else (a
 * dead process, or one the kernel's table shows not holding); else the kernel's table may name it.
 */
export function currentHolderOf(
  recorded: HolderRecord | undefined,
  locks: readonly FlockEntry[] | undefined,
  dev: bigint,
  ino: bigint,
): HolderInfo | undefined {
  if (recorded && !provablyGone(recorded) && !provablyNotHolding(recorded, locks)) return recorded;
  return locks && kernelHolder(locks, dev, ino);
}
