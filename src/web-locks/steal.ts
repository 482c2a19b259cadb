import fs from 'node:fs';
import { LockIOError } from '../errors.js';
import { nodeCrypto } from '../lazy-node.js';
import type { Backend, BackendGrant } from '../lock/backends/backend.js';
import { currentHolder } from '../lock/backends/holder-json.js';

/**
 * How often one steal replaces the lock file and tries to lock the new one, synchronously, before it
 * waits like any request: another process may lock the new file between the rename and our flock (a
 * waiter woken by the rename, or another stealer: the last to replace it wins).
 */
const STEAL_ROUNDS = 16;
/** How long a waiter granted a lock file waits at most for a steal in progress to finish, in ms. */
const MARKER_PATIENCE = 5_000;

/** The file a stealer locks while it replaces and takes the lock file `file`. */
export function stealMarker(file: string): string {
  return `${file}.steal`;
}

/** Replace the lock file with a new, empty one: a new inode that new requests lock, and that holders of the old one notice. */
function replaceLockFile(file: string): void {
  const fresh = `${file}.${nodeCrypto().randomBytes(6).toString('hex')}.steal`;
  try {
    fs.writeFileSync(fresh, '', { flag: 'wx', mode: 0o666 });
    fs.renameSync(fresh, file);
  } catch (error) {
    fs.rmSync(fresh, { force: true });
    throw new LockIOError(file, 'replace', error);
  }
}

/** The kernel backend answers a try without a wait synchronously; the Web Locks use no other backend. */
export function syncTry(
  backend: Backend,
  key: string,
  mode: 'exclusive' | 'shared',
): BackendGrant | undefined {
  const grant = backend.tryAcquire(key, mode, currentHolder(mode));
  if (grant instanceof Promise) throw new TypeError(`The ${backend.name} backend does not answer at once`);
  return grant;
}

/**
 * Take the lock file `file` from whoever holds it, in any process: the kernel cannot take a lock away,
 * so the file is replaced by a new one, which this call locks (exclusive). Synchronous, so that in this
 * process the steal is complete when `request()` returns, as the spec's queue has it.
 *
 * The marker is locked meanwhile: a waiter of another process that locks the new file before we do sees
 * it locked, waits (`stealsDone`), then finds its file replaced again and waits on.
 *
 * @returns the grant, or `undefined` when other processes kept taking the new file first.
 * @throws {LockIOError} when the lock file cannot be replaced; the backend's errors when it cannot be opened.
 */
export function stealLockFile(backend: Backend, file: string): BackendGrant | undefined {
  let marker: BackendGrant | undefined;
  try {
    marker = syncTry(backend, stealMarker(file), 'exclusive');
  } catch {
    // A marker we cannot take only makes the waiters of other processes less patient.
  }
  try {
    for (let round = 0; round < STEAL_ROUNDS; round++) {
      replaceLockFile(file);
      const grant = syncTry(backend, file, 'exclusive');
      if (grant) return grant;
    }
    return undefined;
  } finally {
    void marker?.release({ remove: false });
  }
}

/**
 * Wait while a steal of `file` is in progress (its marker is locked), for at most MARKER_PATIENCE ms: a
 * live stealer holds the marker for microseconds, a dead one not at all.
 */
export async function stealsDone(backend: Backend, file: string): Promise<void> {
  const markerPath = stealMarker(file);
  const deadline = performance.now() + MARKER_PATIENCE;
  try {
    while ((await backend.inspect(markerPath)).locked && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } catch {
    // The marker cannot be looked at: go on; a steal in progress then robs this grant at once.
  }
}
