import fs from 'node:fs';
import path from 'node:path';
import { openRegularSync, readRegular } from '../fs/open-regular.js';
import { nodeCrypto, threadId } from '../lazy-node.js';
import type { Backend } from '../lock/backends/backend.js';
import { inspect } from '../lock/inspect.js';
import { type LockHandle, tryLock } from '../lock/lock.js';
import { WebLocksRegistryError } from './errors.js';
import type { WebLockMode } from './options.js';

export { WebLocksRegistryError };

/** What a registry file says about one request. */
export interface RequestInfo {
  name: string;
  mode: WebLockMode;
}

/** One request of one client, as `query()` reports it, with what it needs to order them. */
export interface ClientEntry extends RequestInfo {
  clientId: string;
  state: 'held' | 'pending';
  /** Wall-clock ms when the request was made (pending) or granted (held): comparable across processes. */
  since: number;
  /** Order of the requests of one client. */
  seq: number;
}

/** `node-<pid>-<threadId>`, like Node's own `navigator.locks` (node:worker_threads loads on first call). */
export function clientId(): string {
  return `node-${process.pid}-${threadId()}`;
}

/** `<client>.lock`: the client's liveness lock; `<client>.slots`: its requests; `<client>.<seq>.name`: a long name. */
const FILE = /^(\d+)-(\d+)-([0-9a-f]+)\.(lock|slots|\d+\.name)$/;

/**
 * Bytes per request in a `.slots` file: `<8 hex checksum> <JSON>`, padded with spaces, ending in `\n`.
 * A free slot is all spaces. A name too long for a slot is written to its own `.name` file.
 */
const SLOT = 256;

/** FNV-1a over UTF-16 code units: detects a slot read while it was being written. */
function checksum(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** What a slot holds: `n` name (absent when in a `.name` file), `m` mode, `s` state, `t` since (ms), `q` seq. */
interface Slot {
  n?: string;
  m: 'e' | 's';
  s: 'p' | 'h';
  t: number;
  q: number;
}

/** Files of this process to remove when it exits normally (a crash leaves them to the next `query()`). */
const ownFiles = new Set<string>();
let exitHook = false;

function removeOwnFiles(): void {
  for (const file of ownFiles) {
    try {
      fs.unlinkSync(file);
    } catch {
      // Already gone, or its folder is: nothing to clean.
    }
  }
}

function invalid(file: string, problem: string): WebLocksRegistryError {
  return new WebLocksRegistryError(file, problem);
}

/** The slots of a `.slots` file; `undefined` for a slot caught being written (its checksum is off). */
function parseSlots(file: string, data: Buffer): (Slot | null | undefined)[] {
  const slots: (Slot | null | undefined)[] = [];
  for (let offset = 0; offset + SLOT <= data.length; offset += SLOT) {
    const text = data.toString('utf8', offset, offset + SLOT).trimEnd();
    if (text === '') {
      slots.push(null);
      continue;
    }
    const space = text.indexOf(' ');
    const json = text.slice(space + 1);
    if (space !== 8 || checksum(json) !== text.slice(0, 8)) {
      slots.push(undefined);
      continue;
    }
    let slot: Partial<Slot>;
    try {
      slot = JSON.parse(json) as Partial<Slot>;
    } catch {
      throw invalid(file, `has a slot that is not JSON at byte ${offset}`);
    }
    if (
      (slot.n !== undefined && typeof slot.n !== 'string') ||
      (slot.m !== 'e' && slot.m !== 's') ||
      (slot.s !== 'p' && slot.s !== 'h') ||
      typeof slot.t !== 'number' ||
      typeof slot.q !== 'number'
    ) {
      throw invalid(file, `has a slot that does not describe a request at byte ${offset}`);
    }
    slots.push(slot as Slot);
  }
  return slots;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** How often a reader re-reads a `.slots` file that it caught being written. */
const REREADS = 5;

/**
 * The registry behind `query()`, in one folder shared by every client (process or thread):
 * - each client holds a kernel lock on its `<client>.lock` for its whole life, so a reader tells a live
 *   client from a dead one by the lock, not by its pid: the kernel drops the lock when the process dies,
 *   and a process that reuses the pid does not hold it;
 * - each client keeps its visible requests in `<client>.slots`, one fixed-size slot per request, written
 *   in place (one `pwrite`, on a descriptor kept open) when a request starts to wait, is granted, or ends.
 *   A checksum per slot tells a reader that it read a slot while it was being written; it reads again.
 *   Nothing is rewritten whole or replaced: replacing a file by rename makes ext4 force its data to disk,
 *   which cost 1 to 3 ms per request on a busy machine; creating and removing a file per request, 0.3 ms.
 * Files of dead clients are removed by the next `query()` that finds them.
 */
export class Registry {
  readonly folder: string;
  readonly #client: string;
  #alive: Promise<LockHandle | undefined> | undefined;
  #fd: number | undefined;
  /** The slot of each visible request of this client, by request seq. */
  readonly #slots = new Map<number, number>();
  readonly #free: number[] = [];
  #size = 0;
  readonly #blank = Buffer.alloc(SLOT, ' ');

  readonly #backend: Backend;

  constructor(folder: string, backend: Backend) {
    this.folder = folder;
    this.#backend = backend;
    this.#client = `${process.pid}-${threadId()}-${nodeCrypto().randomBytes(6).toString('hex')}`;
    this.#blank[SLOT - 1] = 0x0a;
  }

  /** Show a waiting request to other processes. Best effort: a request that cannot be shown still waits. */
  pending(seq: number, info: RequestInfo, since: number): void {
    if (this.#slots.has(seq)) return;
    try {
      this.#write(seq, info, 'p', since);
    } catch {
      // Diagnostic only (documented): other processes' query() then miss this pending request.
    }
  }

  /**
   * Show a granted request, synchronously, so that another process's `query()` sees it before its callback runs.
   * @throws {WebLocksRegistryError} when the registry cannot be written.
   */
  held(seq: number, info: RequestInfo, since: number): void {
    this.#write(seq, info, 'h', since);
  }

  /** The request is done (released, stolen, aborted): free its slot. */
  gone(seq: number): void {
    const slot = this.#slots.get(seq);
    if (slot === undefined) return;
    this.#slots.delete(seq);
    try {
      fs.writeSync(this.#fd!, this.#blank, 0, SLOT, slot * SLOT);
      this.#free.push(slot);
    } catch {
      // The slot stays taken (never reused) and shows a finished request until this process exits.
    }
    const long = this.#namePath(seq);
    if (ownFiles.delete(long)) fs.rmSync(long, { force: true });
  }

  /** The requests of every other live client; removes the files of dead ones. */
  async others(): Promise<ClientEntry[]> {
    if (this.#alive) {
      let alive: LockHandle | undefined;
      try {
        alive = await this.#alive;
      } catch (error) {
        throw new WebLocksRegistryError(this.#path('lock'), 'cannot be locked', { cause: error });
      }
      if (!alive) throw new WebLocksRegistryError(this.#path('lock'), 'is locked by someone else');
    }
    let names: string[];
    try {
      names = await fs.promises.readdir(this.folder);
    } catch (error) {
      if (isMissing(error)) return [];
      throw new WebLocksRegistryError(this.folder, 'cannot be listed', { cause: error });
    }
    const clients = new Map<string, { pid: number; thread: string; files: string[] }>();
    for (const name of names) {
      const match = FILE.exec(name);
      if (!match) continue;
      const client = `${match[1]}-${match[2]}-${match[3]}`;
      if (client === this.#client) continue;
      let entry = clients.get(client);
      if (!entry) {
        entry = { pid: Number(match[1]), thread: match[2]!, files: [] };
        clients.set(client, entry);
      }
      entry.files.push(name);
    }
    const result: ClientEntry[] = [];
    for (const [client, { pid, thread, files }] of clients) {
      const status = await inspect(path.join(this.folder, client), { backend: this.#backend });
      if (!status.locked) {
        await this.#removeDead(client, files);
        continue;
      }
      // Locked, but by another process than the one named: someone is removing a dead client's files.
      if (status.holder?.pid !== pid) continue;
      const clientId = `node-${pid}-${thread}`;
      for (const slot of await this.#readSlots(path.join(this.folder, `${client}.slots`))) {
        const name = slot.n ?? (await this.#readName(path.join(this.folder, `${client}.${slot.q}.name`)));
        if (name === undefined) continue; // finished since the slot was read
        result.push({
          name,
          mode: slot.m === 'e' ? 'exclusive' : 'shared',
          clientId,
          state: slot.s === 'p' ? 'pending' : 'held',
          since: slot.t,
          seq: slot.q,
        });
      }
    }
    return result;
  }

  async #readSlots(file: string): Promise<Slot[]> {
    for (let attempt = 0; ; attempt++) {
      let data: Buffer;
      try {
        // Never blocks on a FIFO put in the folder, never follows a link, nor reads another file's second name.
        data = await readRegular(file, { singleLink: true });
      } catch (error) {
        if (isMissing(error)) return []; // started, nothing written yet
        throw new WebLocksRegistryError(file, 'cannot be read', { cause: error });
      }
      const slots = parseSlots(file, data);
      if (!slots.includes(undefined) || attempt === REREADS) {
        return slots.filter((slot): slot is Slot => Boolean(slot));
      }
    }
  }

  async #readName(file: string): Promise<string | undefined> {
    let text: string;
    try {
      text = (await readRegular(file)).toString('utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw new WebLocksRegistryError(file, 'cannot be read', { cause: error });
    }
    let name: unknown;
    try {
      name = JSON.parse(text);
    } catch {
      // Written whole before its slot: a file that does not parse was not written by locksmith.
    }
    if (typeof name !== 'string') throw invalid(file, 'does not hold a lock name');
    return name;
  }

  #path(suffix: string): string {
    return path.join(this.folder, `${this.#client}.${suffix}`);
  }

  #namePath(seq: number): string {
    return this.#path(`${seq}.name`);
  }

  #write(seq: number, info: RequestInfo, state: 'p' | 'h', since: number): void {
    const fd = this.#open();
    const fields: Slot = { m: info.mode === 'exclusive' ? 'e' : 's', s: state, t: since, q: seq };
    let json = JSON.stringify({ n: info.name, ...fields });
    let record = Buffer.from(`${checksum(json)} ${json}`);
    if (record.length > SLOT - 1) {
      const long = this.#namePath(seq);
      if (!ownFiles.has(long)) {
        try {
          // As JSON, which keeps a name that is not valid Unicode (a lone surrogate) intact. Created here
          // (O_EXCL): never a file, link or FIFO someone else put at this name.
          const fd = openRegularSync(
            long,
            fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL,
            {
              mode: 0o600,
            },
          );
          try {
            fs.writeFileSync(fd, JSON.stringify(info.name));
          } finally {
            fs.closeSync(fd);
          }
        } catch (error) {
          throw new WebLocksRegistryError(long, 'cannot be written', { cause: error });
        }
        ownFiles.add(long);
      }
      json = JSON.stringify(fields);
      record = Buffer.from(`${checksum(json)} ${json}`);
    }
    const buffer = Buffer.from(this.#blank);
    record.copy(buffer);
    let slot = this.#slots.get(seq);
    const fresh = slot === undefined;
    slot ??= this.#free.pop() ?? this.#size++;
    try {
      fs.writeSync(fd, buffer, 0, SLOT, slot * SLOT);
    } catch (error) {
      if (fresh) this.#free.push(slot);
      throw new WebLocksRegistryError(this.#path('slots'), 'cannot be written', { cause: error });
    }
    this.#slots.set(seq, slot);
  }

  /**
   * Open this client's files, once: first the liveness lock (the kernel backend takes it synchronously,
   * inside `tryLock`; the promise only reports the outcome, checked by `others()`), then the slots.
   */
  #open(): number {
    if (this.#fd !== undefined) return this.#fd;
    if (!this.#alive) {
      this.#alive = tryLock(path.join(this.folder, this.#client), { backend: this.#backend });
      this.#alive.catch(() => {}); // reported by the next query(); no unhandled rejection meanwhile
      ownFiles.add(this.#path('lock'));
      if (!exitHook) {
        exitHook = true;
        process.once('exit', removeOwnFiles);
      }
    }
    const file = this.#path('slots');
    try {
      // Written in place for the life of the process: refuse a link, a FIFO, another name of a file
      // elsewhere, or a file of another user put at this (random) name.
      this.#fd = openRegularSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, {
        mode: 0o600,
        singleLink: true,
        ownFile: true,
      });
    } catch (error) {
      throw new WebLocksRegistryError(file, 'cannot be written', { cause: error });
    }
    ownFiles.add(file);
    return this.#fd;
  }

  async #removeDead(client: string, files: string[]): Promise<void> {
    let handle: LockHandle | undefined;
    try {
      handle = await tryLock(path.join(this.folder, client), {
        removeOnRelease: true,
        backend: this.#backend,
      });
      if (!handle) return; // someone else is removing it, or its owner just started
      for (const name of files) {
        if (!name.endsWith('.lock')) await fs.promises.rm(path.join(this.folder, name), { force: true });
      }
    } catch {
      // Housekeeping only: the dead client's requests are left out of the answer either way.
    } finally {
      await handle?.release();
    }
  }
}
