import os from 'node:os';

// A leaf module: what this process knows about its own host. One cache of the hostname and one
// "is that process gone" check, shared by the lock records, the lease backend, the kernel backend's
// holder lookup, atomic writes' temp names and the check-out registry.

let hostname: string | undefined;

/** This host's name, read once (`os.hostname()` is a syscall). */
export function ownHostname(): string {
  hostname ??= os.hostname();
  return hostname;
}

/**
 * Whether `kill(pid, 0)` says there is no such process on this host. EPERM means there is one, of another
 * user: not gone.
 */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
