import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  LockDirectoryError,
  LockInvalidArgumentError,
  LockIOError,
  LocksmithError,
  LockUnsupportedError,
} from '../../../errors.js';
import type { HolderRecord } from '../../../holder.js';
import type { Backend, BackendGrant, BackendStatus, LockMode } from '../backend.js';
import { watchViaFolder } from '../folder-watch.js';
import { decodeHolder, encodeHolder } from '../holder-json.js';
import { FolderGrant, LeaseGrant } from './lease-grant.js';
import { liveness, ownStart } from './process-identity.js';

/** Options of {@link leaseBackend}. */
export interface LeaseOptions {
  /**
   * Milliseconds a marker stays valid without a heartbeat; the holder renews it every quarter of that.
   * A holder on another host that crashed is taken over after this long; one on this host at once.
   * Default 10 000. Hosts sharing a lock must have clocks that agree well within it.
   */
  lease?: number;
  /**
   * `'locksmith'` (default): the protocol of docs/lease-protocol.md, with race-free takeover.
   * `'proper-lockfile'`: proper-lockfile's on-disk protocol (an empty `<file>.lock` folder whose mtime is
   * the heartbeat), so that locksmith and tools using proper-lockfile exclude each other; its stale
   * takeover is only as safe as proper-lockfile's own (see the document).
   */
  protocol?: 'locksmith' | 'proper-lockfile';
}

const DEFAULT_LEASE = 10_000;
const MIN_LEASE = 100;
/** The longest single timer Node has (2^31-1 ms): the heartbeat is one timer of a quarter of it. */
const MAX_LEASE = 2 ** 31 - 1;
const OWNER_PREFIX = 'owner.';
/** Rounds of "take over a stale marker, then install ours" in one attempt before it counts as busy. */
const MAX_ROUNDS = 4;

/** The owner record in the marker: the core's holder info plus what staleness is decided on. */
interface OwnerRecord extends HolderRecord {
  token: string;
  start?: string;
  lease: number;
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function newToken(): string {
  return randomBytes(16).toString('hex');
}

function parseOwnerRecord(text: string, token: string): OwnerRecord | undefined {
  const holder = decodeHolder(text);
  if (!holder) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text.split('\n', 1)[0] ?? '') as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const record: OwnerRecord = {
    ...holder,
    token,
    lease: typeof raw.lease === 'number' && raw.lease > 0 ? raw.lease : DEFAULT_LEASE,
  };
  if (typeof raw.start === 'string') record.start = raw.start;
  return record;
}

/** Owner records by token and inode (written once), so a busy lock costs a readdir and a stat per look. */
const records = new Map<string, OwnerRecord>();
const MAX_RECORDS = 256;

function remember(id: string, record: OwnerRecord): void {
  if (records.size >= MAX_RECORDS) records.delete(records.keys().next().value!);
  records.set(id, record);
}

/** The heartbeat last seen per marker, and since when (performance.now()) it has not changed. */
const sightings = new Map<string, { token: string; mtimeMs: number; since: number }>();

/** What a look at the marker folder found. */
type Marker =
  | { kind: 'free' }
  /** A locksmith marker: its owner file, the record (if readable) and the owner file's mtime. */
  | { kind: 'owned'; token: string; record: OwnerRecord | undefined; mtimeMs: number }
  /** Something we did not write: an empty folder (proper-lockfile) or unknown content. */
  | { kind: 'foreign'; mtimeMs: number };

function ioError(key: string, operation: string, error: unknown): Error {
  if (error instanceof LocksmithError) return error;
  switch (code(error)) {
    case 'ENOTDIR':
      return new LockInvalidArgumentError(
        `Lock file ${key} is a file (the kernel backend's or another tool's); the lease backend uses a folder there`,
        { cause: error },
      );
    case 'ENAMETOOLONG':
      return new LockInvalidArgumentError(`Lock file path ${key} is too long`, { cause: error });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new LockDirectoryError(path.dirname(key), error);
    default:
      return new LockIOError(key, operation, error);
  }
}

/**
 * The lease backend: the lock is a marker folder at the lock file path holding one owner file
 * (`owner.<token>`) with pid, hostname, token, process start time and acquisition time. The holder renews
 * the owner file's mtime (the lease); a marker is stale when its owner on this host is provably dead, or
 * when its lease expired. Taking over a stale marker removes only that owner's file (an unlink of a name
 * nobody else uses), and a marker is installed by renaming a prepared folder onto a missing or empty one,
 * so any number of waiters race safely: see docs/lease-protocol.md and its spin model in model/.
 *
 * Shared locks are refused (`supportsShared: false`): readers cannot join a marker race-free.
 */
export class LeaseBackend implements Backend {
  readonly name = 'lease';
  readonly supportsShared = false;
  readonly reason: string | undefined;
  readonly lease: number;
  readonly protocol: 'locksmith' | 'proper-lockfile';

  constructor(options: LeaseOptions = {}, reason?: string) {
    const lease = options.lease ?? DEFAULT_LEASE;
    if (typeof lease !== 'number' || !Number.isFinite(lease) || lease < MIN_LEASE || lease > MAX_LEASE) {
      throw new LockInvalidArgumentError(
        `lease must be a number of milliseconds from ${MIN_LEASE} to ${MAX_LEASE}, not ${String(lease)}`,
      );
    }
    const protocol = options.protocol ?? 'locksmith';
    if (protocol !== 'locksmith' && protocol !== 'proper-lockfile') {
      throw new LockInvalidArgumentError('protocol must be "locksmith" or "proper-lockfile"');
    }
    this.lease = lease;
    this.protocol = protocol;
    this.reason = reason;
  }

  tryAcquire(key: string, mode: LockMode, holder: HolderRecord): BackendGrant | undefined {
    if (mode !== 'exclusive')
      throw new LockUnsupportedError('The lease backend does not support shared locks');
    return this.protocol === 'locksmith' ? this.#acquireOwned(key, holder) : this.#acquireFolder(key);
  }

  inspect(key: string): BackendStatus {
    const marker = this.#read(key);
    if (marker.kind === 'free') return { locked: false };
    if (this.#stale(key, marker)) return { locked: false };
    const status: BackendStatus = { locked: true, mode: 'exclusive' };
    if (marker.kind === 'owned' && marker.record) {
      const { token: _t, start: _s, lease: _l, ...holder } = marker.record;
      status.holder = holder;
    }
    return status;
  }

  watch(key: string, onChange: () => void): () => void {
    return watchViaFolder(key, onChange);
  }

  /** Look at the marker folder (model: readdir(L) + read the owner record, a snapshot acted on later). */
  #read(key: string): Marker {
    for (let attempt = 0; ; attempt++) {
      let names: string[];
      let folderMtime: number;
      try {
        names = fs.readdirSync(key);
        folderMtime =
          names.length === 0 || this.protocol === 'proper-lockfile' ? fs.statSync(key).mtimeMs : 0;
      } catch (error) {
        if (code(error) === 'ENOENT') return { kind: 'free' };
        throw ioError(key, 'read', error);
      }
      const owner = names.find((name) => name.startsWith(OWNER_PREFIX));
      if (!owner) {
        if (names.length === 0 && this.protocol === 'locksmith') return { kind: 'free' };
        return { kind: 'foreign', mtimeMs: folderMtime };
      }
      const token = owner.slice(OWNER_PREFIX.length);
      const file = path.join(key, owner);
      try {
        // An owner file is written once, before its marker is installed, so its record never changes:
        // waiters polling a busy lock read it once, then only its mtime (the heartbeat).
        const stat = fs.statSync(file);
        const id = `${token}/${stat.ino}`;
        let record = records.get(id);
        if (!record) {
          record = parseOwnerRecord(fs.readFileSync(file, 'utf8'), token);
          if (record) remember(id, record);
        }
        return { kind: 'owned', token, record, mtimeMs: stat.mtimeMs };
      } catch (error) {
        // Released or taken over between readdir and read: look again.
        if (code(error) === 'ENOENT' && attempt < MAX_ROUNDS) continue;
        if (code(error) === 'ENOENT') return { kind: 'foreign', mtimeMs: Date.now() };
        throw ioError(key, 'read', error);
      }
    }
  }

  /**
   * Whether a marker may be taken over. An owner on this host whose death or life can be proven (Linux:
   * pid + start time) is judged by that alone: a live one is never taken over, however long its heartbeat
   * pauses (a blocked event loop would otherwise lose its lock to a waiter without knowing it, and commit
   * while the waiter holds). Any other owner is stale once its lease expired (see `#expired`).
   */
  #stale(key: string, marker: Marker): boolean {
    if (marker.kind === 'free') return true;
    if (marker.kind === 'owned' && marker.record) {
      const owner = liveness(marker.record);
      if (owner !== 'unknown') return owner === 'dead';
      return this.#expired(key, marker.token, marker.mtimeMs, marker.record.lease);
    }
    return this.#expired(key, '', marker.mtimeMs, this.lease);
  }

  /**
   * A lease expired: its heartbeat (the mtime) is older than the lease by our clock, or it has not
   * changed for longer than the lease as this process watched it. The second needs no clock agreement:
   * it recovers a dead holder whose mtime is in the future (a clock ahead, `touch -d 2099`), which the
   * first never would; a live holder changes the mtime every quarter of its lease.
   */
  #expired(key: string, token: string, mtimeMs: number, lease: number): boolean {
    if (Date.now() - mtimeMs > lease) return true;
    const now = performance.now();
    const seen = sightings.get(key);
    if (seen === undefined || seen.token !== token || seen.mtimeMs !== mtimeMs) {
      if (seen === undefined && sightings.size >= MAX_RECORDS)
        sightings.delete(sightings.keys().next().value!);
      sightings.set(key, { token, mtimeMs, since: now });
      return false;
    }
    return now - seen.since > lease;
  }

  /** The locksmith protocol: install a prepared marker by rename; take over stale ones by token. */
  #acquireOwned(key: string, holder: HolderRecord): BackendGrant | undefined {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const marker = this.#read(key);
      if (marker.kind === 'owned') {
        if (!this.#stale(key, marker)) return undefined;
        // Compare-and-delete (model: unlink(L/<owner>)): only this owner's file goes; if someone else already
        // took it over, the unlink finds nothing and we simply look again.
        fs.rmSync(path.join(key, OWNER_PREFIX + marker.token), { force: true });
        continue;
      }
      if (marker.kind === 'foreign') {
        if (!this.#stale(key, marker)) return undefined;
        // Unknown content never goes away by itself and rename cannot replace it: say so instead of waiting.
        throw new LockIOError(
          key,
          'take over',
          new Error('the lock folder holds files that no locksmith owner wrote; remove it by hand'),
        );
      }
      const grant = this.#install(key, holder);
      if (grant) return grant;
      // Windows cannot rename onto an empty folder (left by a crash between unlink and rmdir): remove it
      // if it is still empty, which a live marker never is, and try again (model: rmdir(L)).
      try {
        fs.rmdirSync(key);
      } catch {
        // Not empty (someone installed theirs) or gone: the next round looks again.
      }
    }
    return undefined;
  }

  /** Prepare `<key>.<token>.tmp/owner.<token>` and rename it onto the marker path. */
  #install(key: string, holder: HolderRecord): BackendGrant | undefined {
    const token = newToken();
    const temp = `${key}.${token}.tmp`;
    const ownerName = OWNER_PREFIX + token;
    const record: OwnerRecord = { ...holder, token, lease: this.lease };
    const start = ownStart();
    if (start) record.start = start;
    try {
      this.#mkdirCreatingParent(key, temp);
    } catch (error) {
      throw ioError(key, 'create', error);
    }
    let installed = false;
    try {
      fs.writeFileSync(path.join(temp, ownerName), encodeHolder(record));
      try {
        // Atomic, and only onto a missing or empty folder: the one step that makes us the holder
        // (model: rename(tmp, L)).
        fs.renameSync(temp, key);
        installed = true;
      } catch (error) {
        if (['ENOTEMPTY', 'EEXIST', 'EBUSY', 'EPERM', 'EACCES'].includes(code(error) ?? '')) {
          // EPERM/EACCES: Windows refuses to replace an existing folder; still "busy" when it exists.
          if (code(error) === 'ENOTEMPTY' || code(error) === 'EEXIST' || fs.existsSync(key)) return undefined;
        }
        throw ioError(key, 'create', error);
      }
    } finally {
      if (!installed) removeQuietly(temp, ownerName);
    }
    return new LeaseGrant(key, path.join(key, ownerName), this.lease);
  }

  /** mkdir, creating the lock file's folder when missing. Throws the OS error of `folder` as it is. */
  #mkdirCreatingParent(key: string, folder: string): void {
    try {
      fs.mkdirSync(folder);
      return;
    } catch (error) {
      if (code(error) !== 'ENOENT') throw error;
    }
    const parent = path.dirname(key);
    try {
      fs.mkdirSync(parent, { recursive: true });
    } catch (error) {
      throw new LockDirectoryError(parent, error);
    }
    fs.mkdirSync(folder);
  }

  /** proper-lockfile's protocol: mkdir the lock folder; rmdir a stale one and try once more. */
  #acquireFolder(key: string): BackendGrant | undefined {
    for (let round = 0; round < 2; round++) {
      try {
        this.#mkdirCreatingParent(key, key);
        // The mtime we set and read back is what tells us later that the folder is still ours.
        const mtime = new Date();
        fs.utimesSync(key, mtime, mtime);
        const stat = fs.statSync(key);
        return new FolderGrant(key, stat.mtimeMs, this.lease);
      } catch (error) {
        if (code(error) !== 'EEXIST') throw ioError(key, 'create', error);
      }
      let stat: fs.Stats;
      try {
        stat = fs.statSync(key);
      } catch (error) {
        if (code(error) === 'ENOENT') continue;
        throw ioError(key, 'read', error);
      }
      if (!stat.isDirectory()) {
        throw ioError(key, 'read', Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }));
      }
      if (Date.now() - stat.mtimeMs <= this.lease) return undefined;
      try {
        fs.rmdirSync(key);
      } catch (error) {
        // Not empty: a locksmith-protocol marker or something else; it is not proper-lockfile's to take.
        if (code(error) === 'ENOTEMPTY' || code(error) === 'EEXIST') return undefined;
        if (code(error) !== 'ENOENT') throw ioError(key, 'remove', error);
      }
    }
    return undefined;
  }
}

/** Remove our prepared folder after a failed install (two syscalls); leftovers are harmless. */
function removeQuietly(folder: string, ownerName: string): void {
  try {
    fs.rmSync(path.join(folder, ownerName), { force: true });
    fs.rmdirSync(folder);
  } catch {
    try {
      fs.rmSync(folder, { recursive: true, force: true });
    } catch {
      // ignored: a leftover `<marker>.<token>.tmp` folder excludes nobody
    }
  }
}

let shared: LeaseBackend | undefined;

/** The default lease backend (`backend: 'lease'`), created once. */
export function defaultLeaseBackend(): LeaseBackend {
  shared ??= new LeaseBackend();
  return shared;
}

/**
 * A lease backend with its own lease time or on-disk protocol, to pass as `backend`.
 *
 * @throws {LockInvalidArgumentError} `LOCK_INVALID_ARGUMENT` for a lease under 100 ms or an unknown protocol.
 * @example
 * // Exclude tools that use proper-lockfile on the same file.
 * const backend = leaseBackend({ protocol: 'proper-lockfile' });
 * await withLock('package.json', update, { backend });
 */
export function leaseBackend(options?: LeaseOptions): Backend {
  return new LeaseBackend(options);
}
