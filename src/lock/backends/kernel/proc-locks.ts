import fs from 'node:fs';

/**
 * Who holds flock(2) locks on a file, from Linux's `/proc/locks`: one line per lock, such as
 *
 *     1: FLOCK  ADVISORY  WRITE 32758 fe:00:2172539 0 EOF
 *
 * (pid of the process that took it, device major:minor in hex, inode). Waiting requests are listed too,
 * after `->`, and skipped. Diagnostic only, like the holder record it checks.
 */

/** glibc's gnu_dev_major / gnu_dev_minor for a stat `dev`. */
function majorMinor(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const hex = (n: bigint) => n.toString(16).padStart(2, '0');
  return `${hex(major)}:${hex(minor)}`;
}

/** One flock lock on a file: who took it, and how. */
export interface FlockEntry {
  /** The process that took it (it may have exited since, leaving the lock to a child that shares it). */
  pid: number;
  mode: 'exclusive' | 'shared';
}

/**
 * The flock locks held on the file with this `dev` and `ino`; undefined where `/proc/locks` cannot be read
 * (not Linux, or hidden).
 */
export function flockLocks(dev: bigint, ino: bigint): FlockEntry[] | undefined {
  if (process.platform !== 'linux') return undefined;
  let text: string;
  try {
    text = fs.readFileSync('/proc/locks', 'latin1');
  } catch {
    return undefined;
  }
  const file = `${majorMinor(dev)}:${ino}`;
  const locks: FlockEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes(file)) continue;
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== 'FLOCK' || fields[5] !== file) continue;
    const pid = Number(fields[4]);
    if (Number.isInteger(pid)) locks.push({ pid, mode: fields[3] === 'READ' ? 'shared' : 'exclusive' });
  }
  return locks;
}

/** Descriptors past this many are not looked at (a process with more is not named). */
const MAX_FDS = 4096;

/**
 * Whether process `pid` has the file with this `dev` and `ino` open (a descriptor in /proc/<pid>/fd):
 * undefined when its descriptors cannot be read (another user's process).
 */
export function hasOpen(pid: number, dev: bigint, ino: bigint): boolean | undefined {
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? false : undefined;
  }
  for (const fd of fds.slice(0, MAX_FDS)) {
    try {
      const stat = fs.statSync(`/proc/${pid}/fd/${fd}`, { bigint: true, throwIfNoEntry: false });
      if (stat?.ino === ino && stat.dev === dev) return true;
    } catch {
      // Closed meanwhile, or not a file we may look at.
    }
  }
  return false;
}
