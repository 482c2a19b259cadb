import fs from 'node:fs';
import { LockCompromisedError } from '../../../errors.js';
import type { HolderRecord } from '../../../holder.js';
import type { Backend, BackendGrant, BackendStatus, LockMode, TryOptions } from '../backend.js';
import { watchLockFile } from '../file-watch.js';
import { watchViaFolder } from '../folder-watch.js';
import { currentHolderOf } from './holder.js';
import type { NativeLock } from './native-lock.js';
import { openForInspect, openLockFile } from './open.js';
import { flockLocks } from './proc-locks.js';
import {
  clearAnyRecord,
  clearRecord,
  type LockFileStat,
  onlyRecords,
  type RecordFile,
  readHolder,
  type WrittenRecord,
  writeRecord,
} from './record.js';
import {
  handedOffRecently,
  handOff,
  type QueueWaitResult,
  queueWaitsAvailable,
  tookAgain,
  waitInQueue,
} from './wait/index.js';

/** A descriptor of a lock file, with the identity of the file it was opened on. */
interface OpenFile extends RecordFile {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly writable: boolean;
  inUse: boolean;
}

/** Idle descriptors kept open for the next acquisition of the same lock file (the fast path). */
const MAX_IDLE = 64;
/** How often a lock file may be found replaced during one attempt before the attempt counts as busy. */
const MAX_REOPEN = 8;

/** The lock file's size and ctime when its path still names the file this descriptor was opened on. */
function statAtPath(file: OpenFile): LockFileStat | undefined {
  const stat = fs.statSync(file.key, { bigint: true, throwIfNoEntry: false });
  if (stat === undefined || stat.ino !== file.ino || stat.dev !== file.dev) return undefined;
  return { size: Number(stat.size), ctimeNs: stat.ctimeNs };
}

/** Whether the lock file's path still names the file this descriptor was opened on. */
function stillAtPath(file: OpenFile): boolean {
  return statAtPath(file) !== undefined;
}

/**
 * The kernel backend: an OS lock (flock(2) or LockFileEx) on the lock file, released by the kernel when
 * the process dies. Only non-blocking attempts are made, synchronously: a blocking call would occupy one
 * of libuv's four threadpool threads for the whole wait and starve every `fs` call of the process.
 */
export class KernelBackend implements Backend {
  readonly name = 'kernel';
  readonly supportsShared = true;
  readonly reason: string | undefined;
  readonly #native: NativeLock;
  /** Cached descriptors by lock file path, least recently used first. */
  readonly #files = new Map<string, OpenFile>();

  constructor(native: NativeLock, reason?: string) {
    this.#native = native;
    this.reason = reason;
  }

  /** Waits sleep in the wait queue where it can be used (the core says how long); else the core polls. */
  get queues(): boolean {
    return queueWaitsAvailable();
  }

  tryAcquire(
    key: string,
    mode: LockMode,
    holder: HolderRecord,
    options?: TryOptions,
  ): BackendGrant | undefined | Promise<BackendGrant | undefined> {
    const dataFile = options?.dataFile === true;
    for (let attempt = 0; attempt < MAX_REOPEN; attempt++) {
      const file = this.#take(key, dataFile);
      // Just after handing the lock to a woken waiter, this process does not take it back (see HANDOFF_MS).
      const result = handedOffRecently(file.dev, file.ino) ? 'busy' : this.#native.tryLock(file.fd, mode);
      if (result !== 'held') {
        // Busy on a kept descriptor of a file that is no longer the lock file (replaced or removed while
        // someone held it, as a Web Locks steal does): its holder excludes nobody now; lock the new file.
        if (result === 'busy' && !stillAtPath(file)) {
          this.#discard(file);
          continue;
        }
        if (result === 'busy' && options && this.queues) {
          // A waiting call: it sleeps in the lock's wait queue.
          const sleeping = options.wait ? this.#sleep(file, mode, holder, options.wait, options) : undefined;
          if (sleeping) return sleeping;
        }
        this.#putBack(file);
        if (result === 'busy') return undefined;
        continue; // interrupted by a signal: try again
      }
      // A release's deferred wake-up waits for the next release, while its turn lasts (TURN_MS).
      tookAgain(file.dev, file.ino);
      const grant = this.#granted(file, mode, holder, dataFile);
      if (grant) return grant;
    }
    return undefined;
  }

  /**
   * The lock is on the descriptor's inode. If the path now names another file (removed by
   * `removeOnRelease` or by another tool, then created again), a lock on the old inode excludes nobody:
   * drop it (undefined: lock the file that is there now). The same stat tells the holder record the file's
   * size and whether anyone wrote it, so the check costs no extra system call. The caller's own data file
   * (`dataFile`) gets no record: it is theirs.
   */
  #granted(file: OpenFile, mode: LockMode, holder: HolderRecord, dataFile: boolean): KernelGrant | undefined {
    const stat = statAtPath(file);
    if (stat === undefined) {
      this.#native.unlock(file.fd);
      this.#discard(file);
      return undefined;
    }
    const written =
      file.writable && !dataFile ? writeRecord(file, this.#native.recordOffset, stat, holder) : undefined;
    return new KernelGrant(this, file, mode, written);
  }

  /**
   * Sleep in the lock's wait queue; undefined where it cannot be used (the core polls). A caller whose lock
   * file may be replaced under its holder (a Web Locks steal) aborts the signal when it sees that.
   */
  #sleep(
    file: OpenFile,
    mode: LockMode,
    holder: HolderRecord,
    wait: number,
    options: TryOptions,
  ): Promise<BackendGrant | undefined> | undefined {
    const signal = options.signal;
    const sleeping = waitInQueue(file, mode, wait, signal, this.#native);
    if (!sleeping) return undefined;
    return this.#afterSleep(file, mode, holder, sleeping, signal, options.dataFile === true);
  }

  async #afterSleep(
    file: OpenFile,
    mode: LockMode,
    holder: HolderRecord,
    sleeping: Promise<QueueWaitResult>,
    signal: AbortSignal | undefined,
    dataFile: boolean,
  ): Promise<BackendGrant | undefined> {
    const outcome = await sleeping;
    if (outcome !== 'held') {
      this.#putBack(file);
      return undefined;
    }
    if (signal?.aborted) {
      // Granted just as the caller gave up: give it back.
      this.#native.unlock(file.fd);
      this.#putBack(file);
      return undefined;
    }
    // The holder record needs the current time, not the time the wait began.
    return this.#granted(file, mode, { ...holder, since: new Date() }, dataFile);
  }

  inspect(key: string): BackendStatus {
    const opened = openForInspect(key);
    if (opened === undefined) return { locked: false };
    const { fd, stat } = opened;
    try {
      // A probe of our own on a separate descriptor: it conflicts with every holder, this process included.
      if (this.#native.tryLock(fd, 'exclusive') === 'held') {
        this.#native.unlock(fd);
        return { locked: false };
      }
      const status: BackendStatus = { locked: true };
      if (this.#native.tryLock(fd, 'shared') === 'held') {
        this.#native.unlock(fd);
        status.mode = 'shared';
      } else {
        status.mode = 'exclusive';
      }
      const { dev, ino } = stat;
      const locks = flockLocks(dev, ino);
      const holder = currentHolderOf(readHolder(fd, this.#native.recordOffset), locks, dev, ino);
      if (holder) status.holder = holder;
      return status;
    } finally {
      fs.closeSync(fd);
    }
  }

  watch(key: string, onChange: () => void): () => void {
    // Waits that sleep in the wait queue are woken through their tickets; watching would wake this process
    // on every change of the lock file (each holder writes its record twice), for nothing.
    if (this.queues) return () => {};
    return watchLockFile(key, onChange);
  }

  /** Called once by a grant. */
  release(file: OpenFile, mode: LockMode, remove: boolean, written: WrittenRecord | undefined): void {
    const native = this.#native;
    let removed = false;
    try {
      if (remove && stillAtPath(file) && onlyRecords(file.fd, native.recordOffset)) {
        // Unlink while still holding, so nobody can lock this inode and believe it is the lock file.
        // A shared holder only removes the file when it can convert to exclusive, i.e. it is the last one.
        // A file holding anything but our records is someone's data: it stays.
        if (mode === 'exclusive' || native.tryLock(file.fd, 'exclusive') === 'held') {
          fs.unlinkSync(file.key);
          removed = true;
        }
      } else if (this.queues) {
        // Waiters sleep in the wait queue and need no wake-up write, and `inspect` asks the kernel whether the
        // recorded holder still holds: the record stays, naming the last holder. One write fewer per cycle.
      } else if (mode === 'exclusive') {
        // Mark our record free, so that a later holder using another tool is not reported as us; the
        // write also wakes the waiters that watch the file.
        if (written) clearRecord(file, native.recordOffset, written);
      } else if (file.writable && native.tryLock(file.fd, 'exclusive') === 'held') {
        // The last shared holder (it could convert to exclusive) frees whichever co-holder's record is there.
        clearAnyRecord(file, native.recordOffset);
      }
    } catch {
      // Clearing the record is diagnostic housekeeping; the unlock below is what matters.
    }
    // Where waiters poll, the record-freeing write (or the unlink) just above is their wake-up: they see it
    // through their watch ~0.1 ms later, long after the unlock below; one that still finds the lock held
    // retries after 1 ms. Where they sleep in the wait queue, the first live one is woken after the unlock.
    native.unlock(file.fd);
    if (this.queues) {
      try {
        // A turn's late wake-up is bounded by the head's 40 ms poll, unless the head sleeps on its holder.
        handOff(file.dev, file.ino, native, native.watchHolderExit === undefined);
      } catch {
        // A wake-up is a hint: the queue's head polls in any case.
      }
    }
    if (removed) this.#discard(file);
    else this.#putBack(file);
  }

  /** Start watching for the lock file being removed or replaced under a holder. */
  watchLoss(file: OpenFile, onLost: (reason: Error) => void): () => void {
    let done = false;
    const check = () => {
      if (done) return;
      if (stillAtPath(file)) return;
      done = true;
      stop();
      onLost(new LockCompromisedError(file.key, 'the lock file was removed or replaced by someone else'));
    };
    const stop = watchViaFolder(file.key, check);
    check();
    return () => {
      done = true;
      stop();
    };
  }

  /** The cached descriptor of `key`, or a new one (a separate one if the cached one is in use). */
  #take(key: string, dataFile: boolean): OpenFile {
    const cached = this.#files.get(key);
    if (cached && !cached.inUse) {
      // Move to the most recently used end.
      this.#files.delete(key);
      this.#files.set(key, cached);
      cached.inUse = true;
      return cached;
    }
    const file = this.#open(key, dataFile);
    file.inUse = true;
    if (!cached) this.#remember(file);
    return file;
  }

  /**
   * Done with a descriptor for now: kept for the next acquisition while the cache is within its cap, else
   * closed at once (after `lockAll` of 1 000 paths, waiting for the next open to trim the cache would keep
   * them all open, and a process near its descriptor limit could open nothing else).
   */
  #putBack(file: OpenFile): void {
    file.inUse = false;
    if (this.#files.get(file.key) !== file) {
      fs.closeSync(file.fd);
    } else if (this.#files.size > MAX_IDLE) {
      this.#files.delete(file.key);
      fs.closeSync(file.fd);
    }
  }

  #discard(file: OpenFile): void {
    if (this.#files.get(file.key) === file) this.#files.delete(file.key);
    fs.closeSync(file.fd);
  }

  #remember(file: OpenFile): void {
    this.#files.set(file.key, file);
    if (this.#files.size <= MAX_IDLE) return;
    for (const old of this.#files.values()) {
      if (this.#files.size <= MAX_IDLE) break;
      if (old.inUse) continue;
      this.#files.delete(old.key);
      fs.closeSync(old.fd);
    }
  }

  #open(key: string, dataFile: boolean): OpenFile {
    const opened = openLockFile(key);
    return {
      key,
      fd: opened.fd,
      dev: opened.dev,
      ino: opened.ino,
      writable: opened.writable,
      inUse: false,
      // The caller's own data file is never ours, even when this call created it.
      created: opened.created && !dataFile,
      lastWritten: undefined,
      lastLine: undefined,
      seen: undefined,
    };
  }
}

class KernelGrant implements BackendGrant {
  readonly #backend: KernelBackend;
  readonly #file: OpenFile;
  readonly #mode: LockMode;
  /** The holder record this grant wrote (and frees on release). */
  readonly #written: WrittenRecord | undefined;
  #released = false;
  #stopWatching: (() => void) | undefined;

  constructor(backend: KernelBackend, file: OpenFile, mode: LockMode, written: WrittenRecord | undefined) {
    this.#backend = backend;
    this.#file = file;
    this.#mode = mode;
    this.#written = written;
  }

  release(options: { remove: boolean }): void {
    if (this.#released) return;
    this.#released = true;
    this.#stopWatching?.();
    this.#backend.release(this.#file, this.#mode, options.remove, this.#written);
  }

  stillHeld(): boolean {
    return !this.#released && stillAtPath(this.#file);
  }

  watchLoss(onLost: (reason: Error) => void): () => void {
    if (this.#released) return () => {};
    this.#stopWatching = this.#backend.watchLoss(this.#file, onLost);
    return this.#stopWatching;
  }
}
