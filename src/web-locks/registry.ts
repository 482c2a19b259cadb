import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { LocksmithError } from '../errors.js';
import { inspect } from '../lock/inspect.js';
import { type LockHandle, tryLock } from '../lock/lock.js';
import type { WebLockMode } from './options.js';

/** The query registry of another process cannot be read: it is not what locksmith writes. */
export class WebLocksRegistryError extends LocksmithError {
  static override readonly code = 'WEB_LOCKS_REGISTRY';
  override name = 'WebLocksRegistryError';
  readonly file: string;

  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(`Web Locks registry file ${file} ${problem}`, options);
    this.file = file;
  }
}

/** One request of one client, as `query()` reports it, with what it needs to order them. */
export interface RegistryEntry {
  name: string;
  mode: WebLockMode;
  state: 'held' | 'pending';
  /** Wall-clock ms when the request was made (pending) or granted (held). */
  since: number;
  /** Order of the requests of one client. */
  seq: number;
}

export interface ClientEntry extends RegistryEntry {
  clientId: string;
}

interface RegistryFile {
  version: 1;
  clientId: string;
  pid: number;
  entries: RegistryEntry[];
}

/** `node-<pid>-<threadId>`, like Node's own `navigator.locks`. */
export const CLIENT_ID = `node-${process.pid}-${threadId}`;

const DATA = '.json';

/** Files of this process to remove when it exits normally (a crash leaves them to the next `query()`). */
const ownFiles = new Set<string>();
let exitHook = false;

function removeOwnFiles(): void {
  for (const file of ownFiles) {
    for (const name of [file, `${file}.tmp`, `${file}.lock`]) {
      try {
        fs.unlinkSync(name);
      } catch {
        // Already gone, or the folder is: nothing to clean.
      }
    }
  }
}

function validEntry(value: unknown): value is RegistryEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.name === 'string' &&
    (e.mode === 'exclusive' || e.mode === 'shared') &&
    (e.state === 'held' || e.state === 'pending') &&
    typeof e.since === 'number' &&
    typeof e.seq === 'number'
  );
}

function parseFile(file: string, text: string): RegistryFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new WebLocksRegistryError(file, 'is not valid JSON', { cause: error });
  }
  const r = raw as Partial<RegistryFile> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    r.version !== 1 ||
    typeof r.clientId !== 'string' ||
    typeof r.pid !== 'number' ||
    !Array.isArray(r.entries) ||
    !r.entries.every(validEntry)
  ) {
    throw new WebLocksRegistryError(file, 'does not hold a version 1 registry');
  }
  return r as RegistryFile;
}

/**
 * The registry behind `query()`: one small JSON file per client (process or thread) in `<folder>/`, listing
 * its held and pending requests, rewritten atomically (write + rename) when they change. Each client holds
 * a kernel lock on its file for its whole life, so a reader tells a live client from a dead one by the
 * lock, not by its pid: the kernel drops the lock when the process dies, and a new process that reuses
 * the pid does not hold it. Files of dead clients are removed by the next `query()` that finds them.
 */
export class Registry {
  readonly folder: string;
  readonly #file: string;
  readonly #entries: () => RegistryEntry[];
  #alive: Promise<LockHandle | undefined> | undefined;
  #written = '';

  constructor(folder: string, entries: () => RegistryEntry[]) {
    this.folder = folder;
    this.#file = path.join(folder, `${process.pid}-${threadId}-${randomBytes(6).toString('hex')}${DATA}`);
    this.#entries = entries;
  }

  /**
   * Write this client's entries now, synchronously, so that another process's `query()` sees them as soon
   * as the caller goes on.
   * @throws {WebLocksRegistryError} when the file cannot be written.
   */
  flush(): void {
    this.#startLiveness();
    const body: RegistryFile = {
      version: 1,
      clientId: CLIENT_ID,
      pid: process.pid,
      entries: this.#entries(),
    };
    const text = JSON.stringify(body);
    if (text === this.#written) return;
    const tmp = `${this.#file}.tmp`;
    try {
      fs.writeFileSync(tmp, text, { mode: 0o600 });
      fs.renameSync(tmp, this.#file);
    } catch (error) {
      throw new WebLocksRegistryError(this.#file, 'cannot be written', { cause: error });
    }
    this.#written = text;
  }

  /** The entries of every other live client; removes the files of dead ones. */
  async others(): Promise<ClientEntry[]> {
    if (this.#alive && !(await this.#alive)) {
      throw new WebLocksRegistryError(this.#file, 'is locked by someone else');
    }
    let names: string[];
    try {
      names = await fs.promises.readdir(this.folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new WebLocksRegistryError(this.folder, 'cannot be listed', { cause: error });
    }
    // A client's files: <id>.json (its entries), <id>.json.lock (its liveness lock), <id>.json.tmp.
    const ids = new Set<string>();
    for (const name of names) {
      const match = /^(\d+-\d+-[0-9a-f]+)\.json(\.lock|\.tmp)?$/.exec(name);
      if (match?.[1]) ids.add(match[1]);
    }
    const result: ClientEntry[] = [];
    for (const id of ids) {
      const file = path.join(this.folder, `${id}${DATA}`);
      if (file === this.#file) continue;
      const status = await inspect(file);
      if (!status.locked) {
        await this.#removeDead(file);
        continue;
      }
      // Locked, but by another process than the one named: someone is removing a dead client's files.
      if (status.holder?.pid !== Number(id.split('-')[0])) continue;
      let text: string;
      try {
        text = await fs.promises.readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // started, nothing written yet
        throw new WebLocksRegistryError(file, 'cannot be read', { cause: error });
      }
      const data = parseFile(file, text);
      for (const entry of data.entries) result.push({ ...entry, clientId: data.clientId });
    }
    return result;
  }

  /** Take the liveness lock of this client's file, once. The kernel backend takes it synchronously. */
  #startLiveness(): void {
    if (this.#alive) return;
    this.#alive = tryLock(this.#file);
    // A failure is reported by the next query(); no unhandled rejection meanwhile.
    this.#alive.catch(() => {});
    ownFiles.add(this.#file);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', removeOwnFiles);
    }
  }

  async #removeDead(file: string): Promise<void> {
    let handle: LockHandle | undefined;
    try {
      handle = await tryLock(file, { removeOnRelease: true });
      if (!handle) return; // someone else is removing it, or its owner just started
      await fs.promises.rm(file, { force: true });
      await fs.promises.rm(`${file}.tmp`, { force: true });
    } catch {
      // Housekeeping only: the dead client's entries are left out of the answer either way.
    } finally {
      await handle?.release();
    }
  }
}
