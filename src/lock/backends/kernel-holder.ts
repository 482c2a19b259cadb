import fs from 'node:fs';
import os from 'node:os';
import { type HolderInfo, shortenCommand } from '../holder-info.js';
import { type FlockEntry, hasOpen } from './proc-locks.js';
import { noSuchProcess } from './process-identity.js';

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
    if (open === false || (open === undefined && noSuchProcess(pid))) continue;
    return { pid, hostname: os.hostname(), command: commandOf(pid), mode };
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
