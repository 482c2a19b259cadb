import fs from 'node:fs';
import path from 'node:path';
import type { NativeLock } from '../native-lock.js';

/**
 * A waiter's place in a lock's wait queue: a file in the queue folder, named so that names sort in the
 * order the waiters arrived (the monotonic clock, which every process of the host shares), and held with
 * an exclusive flock for as long as its waiter lives. A ticket whose flock is free belongs to a dead
 * waiter: it is skipped and removed by whoever finds it. A waiter sleeps watching its own ticket only;
 * whoever wants it to look at the lock again changes the ticket's times (one `utimensat`, no open).
 */
export interface Ticket {
  readonly folder: string;
  readonly name: string;
  readonly path: string;
  readonly fd: number;
}

const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
/** Tickets are made under a name starting with this, and renamed into the queue once flock-held. */
const MAKING = '.';
let made = 0;

/** Whether `name` is a ticket in the queue (not one being made). */
function inQueue(name: string): boolean {
  return !name.startsWith(MAKING);
}

/**
 * Join the queue in `folder` (created if missing). The ticket is made and flock-held under a hidden name
 * first, then renamed into place: no one can find it in the queue before its flock shows it alive.
 * Throws on a file-system failure (the caller then polls instead).
 */
export function enterQueue(folder: string, native: NativeLock): Ticket {
  for (let attempt = 0; ; attempt++) {
    // The folder usually exists (others wait too): make it only when the open says it is missing, so a
    // wait does not pay for an EEXIST error (built with its stack trace) each time it queues.
    if (attempt > 0) {
      try {
        fs.mkdirSync(folder, { mode: 0o700 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    const hidden = path.join(folder, `${MAKING}${process.pid}-${made++}`);
    let fd: number;
    try {
      fd = fs.openSync(
        hidden,
        fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW,
        0o600,
      );
    } catch (error) {
      // No folder yet, or the last waiter removed the empty folder just now: make it (again).
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 8) continue;
      throw error;
    }
    try {
      if (native.tryLock(fd, 'exclusive') !== 'held') throw new Error('a new ticket could not be flock-held');
      const name = `${process.hrtime.bigint().toString().padStart(20, '0')}-${process.pid}-${made++}`;
      const file = path.join(folder, name);
      fs.renameSync(hidden, file);
      return { folder, name, path: file, fd };
    } catch (error) {
      fs.closeSync(fd);
      try {
        fs.unlinkSync(hidden);
      } catch {
        // already gone
      }
      throw error;
    }
  }
}

/** Leave the queue: remove the ticket (it is still flock-held, so nobody takes it for a dead one meanwhile). */
export function leaveQueue(ticket: Ticket): void {
  try {
    fs.unlinkSync(ticket.path);
  } catch {
    // removed already (by a tool cleaning /dev/shm): nothing to undo
  }
  fs.closeSync(ticket.fd);
}

/** The queue's ticket names in arrival order; empty when the folder does not exist. */
export function queued(folder: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return [];
  }
  return names.filter(inQueue).sort();
}

/**
 * Whether the waiter of ticket `name` is alive (its ticket is flock-held). A dead one's ticket is removed.
 * A ticket that vanished meanwhile counts as dead.
 */
export function alive(folder: string, name: string, native: NativeLock): boolean {
  const file = path.join(folder, name);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | NOFOLLOW);
  } catch {
    return false;
  }
  try {
    if (native.tryLock(fd, 'shared') !== 'held') return true;
    native.unlock(fd);
  } catch {
    return true; // cannot tell: assume alive, as removing a live waiter's ticket would strand it
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.unlinkSync(file);
  } catch {
    // someone else removed it first
  }
  return false;
}

/**
 * The live ticket just before `ticket` (dead ones found between removed), or undefined when `ticket` is
 * at the head. It looks from `ticket` backwards: the waiter just before is usually alive, so one check.
 */
export function predecessor(ticket: Ticket, native: NativeLock): string | undefined {
  const before = queued(ticket.folder).filter((name) => name < ticket.name);
  for (let i = before.length - 1; i >= 0; i--) {
    const name = before[i]!;
    if (alive(ticket.folder, name, native)) return name;
  }
  return undefined;
}

/**
 * Who made ticket `name` and when: its waiter's pid and the monotonic clock's reading (ns) once the
 * ticket was held, as its name says; undefined for a name not made by `enterQueue`.
 */
export function ticketMaker(name: string): { pid: number; stamp: bigint } | undefined {
  const match = /^(\d{20})-(\d+)-\d+$/.exec(name);
  if (!match) return undefined;
  return { stamp: BigInt(match[1]!), pid: Number(match[2]) };
}

/** Tell ticket `name`'s waiter to look at the lock again. False when the ticket is gone. */
export function nudge(folder: string, name: string): boolean {
  const now = Date.now() / 1000;
  try {
    fs.utimesSync(path.join(folder, name), now, now);
    return true;
  } catch {
    return false;
  }
}

/** Remove the queue's folder if it is empty (a waiter making a ticket at that moment makes it again). */
export function removeIfEmpty(folder: string): void {
  try {
    fs.rmdirSync(folder);
  } catch {
    // not empty, or gone
  }
}
