import { LockInvalidArgumentError } from '../../../../errors.js';

const CHOICES = ['queue', 'fifo', 'poll'] as const;

/**
 * How waits for a kernel lock wait here: `'queue'` (the wait queue, on Linux, where `fs.watch` of a file
 * is inotify and wakes in ~0.1 ms, and on Windows, where it is ReadDirectoryChangesW) or `'poll'` (the core's capped backoff, woken by the lock file's
 * changes). `LOCKSMITH_WAIT=fifo` is the queue without turns (see TURN_MS in wake.ts); `LOCKSMITH_WAIT=poll`
 * turns the queue off; `LOCKSMITH_WAIT_THREADS=0`, from the time waits slept on threads, still does.
 */
export function waitStrategy(): 'queue' | 'poll' {
  // Read once per process: every release asks, and each read of process.env is a call into C++ (about a
  // tenth of an uncontended lock + release).
  strategy ??= readStrategy();
  return strategy;
}

let strategy: 'queue' | 'poll' | undefined;

function readStrategy(): 'queue' | 'poll' {
  const value = process.env.LOCKSMITH_WAIT?.trim();
  if (value && !(CHOICES as readonly string[]).includes(value)) {
    throw new LockInvalidArgumentError(`LOCKSMITH_WAIT must be one of ${CHOICES.join(', ')}, not "${value}"`);
  }
  if (value === 'poll' || process.env.LOCKSMITH_WAIT_THREADS?.trim() === '0') return 'poll';
  return process.platform === 'linux' || process.platform === 'win32' ? 'queue' : 'poll';
}

/**
 * Whether every release with a waiter hands the lock over (`LOCKSMITH_WAIT=fifo`: strict arrival order,
 * no turns). By default a process that asks for a lock again at once keeps it for a short turn
 * (`TURN_MS`, wake.ts) before it hands over.
 */
export function strictOrder(): boolean {
  strict ??= process.env.LOCKSMITH_WAIT?.trim() === 'fifo';
  return strict;
}

let strict: boolean | undefined;

/** Read `LOCKSMITH_WAIT` and `LOCKSMITH_WAIT_THREADS` again at the next ask (for tests that change them). */
export function forgetWaitEnvironment(): void {
  strategy = undefined;
  strict = undefined;
}

/** Whether waits for kernel locks sleep in a wait queue here. */
export function queueWaitsAvailable(): boolean {
  return waitStrategy() === 'queue';
}
