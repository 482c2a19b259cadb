import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { LocksmithError } from '../errors.js';
import { inspect } from '../lock/inspect.js';
import { type LockHandle, tryLock } from '../lock/lock.js';
import type { WebLockMode } from './options.js';

/** A Web Locks registry file cannot be written (when a lock is granted) or read (by `query()`). */
export class WebLocksRegistryError extends LocksmithError {
  static override readonly code = 'WEB_LOCKS_REGISTRY';
  override name = 'WebLocksRegistryError';
  readonly file: string;

  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(`Web Locks registry file ${file} ${problem}`, options);
    this.file = file;
  }
}

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

/** `node-<pid>-<threadId>`, like Node's own `navigator.locks`. */
export const CLIENT_ID = `node-${process.pid}-${threadId}`;

/**
 * `<client>.lock`: the client's liveness lock. `<client>.<seq>.pending.<since>`: a waiting request;
 * renamed `<client>.<seq>.held.<since>` when granted. `since` is in microseconds since the epoch.
 */
const FILE = /^(\d+)-(\d+)-([0-9a-f]+)(?:\.lock|\.(\d+)\.(pending|held)\.(\d+))$/;

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

function parseInfo(file: string, text: string): RequestInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new WebLocksRegistryError(file, 'is not valid JSON', { cause: error });
  }
  const r = raw as Partial<RequestInfo> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.name !== 'string' ||
    (r.mode !== 'exclusive' && r.mode !== 'shared')
  ) {
    throw new WebLocksRegistryError(file, 'does not describe a request ({ name, mode })');
  }
  return { name: r.name, mode: r.mode };
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * The registry behind `query()`, in one folder shared by every client (process or thread):
 * - each client holds a kernel lock on its `<client>.lock` for its whole life, so a reader tells a live
 *   client from a dead one by the lock, not by its pid: the kernel drops the lock when the process dies,
 *   and a process that reuses the pid does not hold it;
 * - each visible request is one small file, created once, renamed when granted, removed when done. No file
 *   is ever rewritten or replaced: on ext4, replacing a file by rename forces its data to disk, which cost
 *   about a millisecond per request on a busy machine.
 * Files of dead clients are removed by the next `query()` that finds them.
 */
export class Registry {
  readonly folder: string;
  readonly #client: string;
  #alive: Promise<LockHandle | undefined> | undefined;
  /** The file of each visible request of this client, by request seq. */
  readonly #files = new Map<number, string>();
  /** Files whose removal failed: retried at every change. */
  readonly #leftovers = new Set<string>();

  constructor(folder: string) {
    this.folder = folder;
    this.#client = `${process.pid}-${threadId}-${randomBytes(6).toString('hex')}`;
  }

  /**
   * Show a waiting request to other processes. Best effort: a request that cannot be shown still waits.
   */
  pending(seq: number, info: RequestInfo, since: number): void {
    if (this.#files.has(seq)) return;
    try {
      this.#create(seq, 'pending', info, since);
    } catch {
      // Diagnostic only; documented: other processes' query() then miss this pending request.
    }
  }

  /**
   * Show a granted request, synchronously, so that another process's `query()` sees it before its callback runs.
   * @throws {WebLocksRegistryError} when the file cannot be written.
   */
  held(seq: number, info: RequestInfo, since: number): void {
    const pending = this.#files.get(seq);
    if (!pending) {
      this.#create(seq, 'held', info, since);
      return;
    }
    const held = this.#path(seq, 'held', since);
    try {
      fs.renameSync(pending, held);
    } catch (error) {
      throw new WebLocksRegistryError(held, 'cannot be written', { cause: error });
    }
    this.#remember(seq, held);
  }

  /** The request is done (released, stolen, aborted): remove its file. A failure is retried at the next change. */
  gone(seq: number): void {
    const file = this.#files.get(seq);
    if (!file) return;
    this.#files.delete(seq);
    ownFiles.delete(file);
    this.#leftovers.add(file);
    for (const leftover of this.#leftovers) {
      try {
        fs.unlinkSync(leftover);
        this.#leftovers.delete(leftover);
      } catch (error) {
        if (isMissing(error)) this.#leftovers.delete(leftover);
      }
    }
  }

  /** The requests of every other live client; removes the files of dead ones. */
  async others(): Promise<ClientEntry[]> {
    if (this.#alive && !(await this.#alive)) {
      throw new WebLocksRegistryError(this.#lockPath(), 'is locked by someone else');
    }
    let names: string[];
    try {
      names = await fs.promises.readdir(this.folder);
    } catch (error) {
      if (isMissing(error)) return [];
      throw new WebLocksRegistryError(this.folder, 'cannot be listed', { cause: error });
    }
    const clients = new Map<string, { pid: number; thread: string; files: RegExpExecArray[] }>();
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
      if (match[4] !== undefined) entry.files.push(match);
    }
    const result: ClientEntry[] = [];
    for (const [client, { pid, thread, files }] of clients) {
      const status = await inspect(path.join(this.folder, client));
      if (!status.locked) {
        await this.#removeDead(client, files);
        continue;
      }
      // Locked, but by another process than the one named: someone is removing a dead client's files.
      if (status.holder?.pid !== pid) continue;
      for (const match of files) {
        const file = path.join(this.folder, match[0]);
        let text: string;
        try {
          text = await fs.promises.readFile(file, 'utf8');
        } catch (error) {
          if (isMissing(error)) continue; // done, or renamed when granted, since the listing
          throw new WebLocksRegistryError(file, 'cannot be read', { cause: error });
        }
        result.push({
          ...parseInfo(file, text),
          clientId: `node-${pid}-${thread}`,
          state: match[5] as 'pending' | 'held',
          since: Number(match[6]) / 1000,
          seq: Number(match[4]),
        });
      }
    }
    return result;
  }

  #path(seq: number, state: 'pending' | 'held', since: number): string {
    return path.join(this.folder, `${this.#client}.${seq}.${state}.${Math.round(since * 1000)}`);
  }

  #lockPath(): string {
    return path.join(this.folder, `${this.#client}.lock`);
  }

  #create(seq: number, state: 'pending' | 'held', info: RequestInfo, since: number): void {
    this.#startLiveness();
    const file = this.#path(seq, state, since);
    try {
      fs.writeFileSync(file, JSON.stringify({ name: info.name, mode: info.mode }), {
        flag: 'wx',
        mode: 0o600,
      });
    } catch (error) {
      throw new WebLocksRegistryError(file, 'cannot be written', { cause: error });
    }
    this.#remember(seq, file);
  }

  #remember(seq: number, file: string): void {
    const old = this.#files.get(seq);
    if (old) ownFiles.delete(old);
    this.#files.set(seq, file);
    ownFiles.add(file);
  }

  /**
   * Take this client's liveness lock, once, before its first file appears. The kernel backend takes it
   * synchronously, inside `tryLock`; the promise only reports the outcome (checked by `others()`).
   */
  #startLiveness(): void {
    if (this.#alive) return;
    this.#alive = tryLock(path.join(this.folder, this.#client));
    this.#alive.catch(() => {}); // reported by the next query(); no unhandled rejection meanwhile
    ownFiles.add(this.#lockPath());
    if (!exitHook) {
      exitHook = true;
      process.once('exit', removeOwnFiles);
    }
  }

  async #removeDead(client: string, files: RegExpExecArray[]): Promise<void> {
    let handle: LockHandle | undefined;
    try {
      handle = await tryLock(path.join(this.folder, client), { removeOnRelease: true });
      if (!handle) return; // someone else is removing it, or its owner just started
      for (const match of files) await fs.promises.rm(path.join(this.folder, match[0]), { force: true });
    } catch {
      // Housekeeping only: the dead client's requests are left out of the answer either way.
    } finally {
      await handle?.release();
    }
  }
}
