import { LockInvalidArgumentError } from '../../../../errors.js';

const CHOICES = ['queue', 'poll'] as const;

/**
 * How waits for a kernel lock wait here: `'queue'` (the wait queue, on Linux, where `fs.watch` of a file
 * is inotify and wakes in ~0.1 ms, and on Windows, where it is ReadDirectoryChangesW) or `'poll'` (the core's capped backoff, woken by the lock file's
 * changes). `LOCKSMITH_WAIT=poll` turns the queue off; `LOCKSMITH_WAIT_THREADS=0`, from the time waits
 * slept on threads, still does.
 */
export function waitStrategy(): 'queue' | 'poll' {
  const value = process.env.LOCKSMITH_WAIT?.trim();
  if (value && !(CHOICES as readonly string[]).includes(value)) {
    throw new LockInvalidArgumentError(`LOCKSMITH_WAIT must be one of ${CHOICES.join(', ')}, not "${value}"`);
  }
  if (value === 'poll' || process.env.LOCKSMITH_WAIT_THREADS?.trim() === '0') return 'poll';
  return process.platform === 'linux' || process.platform === 'win32' ? 'queue' : 'poll';
}

/** Whether waits for kernel locks sleep in a wait queue here. */
export function queueWaitsAvailable(): boolean {
  return waitStrategy() === 'queue';
}
