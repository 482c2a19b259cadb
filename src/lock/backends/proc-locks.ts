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

/**
 * The pids holding flock locks on the file with this `dev` and `ino`; undefined where `/proc/locks` cannot
 * be read (not Linux, or hidden).
 */
export function flockHolders(dev: bigint, ino: bigint): Set<number> | undefined {
  if (process.platform !== 'linux') return undefined;
  let text: string;
  try {
    text = fs.readFileSync('/proc/locks', 'latin1');
  } catch {
    return undefined;
  }
  const file = `${majorMinor(dev)}:${ino}`;
  const pids = new Set<number>();
  for (const line of text.split('\n')) {
    if (!line.includes(file)) continue;
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== 'FLOCK' || fields[5] !== file) continue;
    const pid = Number(fields[4]);
    if (Number.isInteger(pid)) pids.add(pid);
  }
  return pids;
}
