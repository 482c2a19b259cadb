import { LockCompromisedError, LockInvalidArgumentError } from '../errors.js';
import type { HolderRecord } from '../holder.js';
import type { Backend, BackendGrant, BackendStatus, LockMode, TryOptions } from '../lock/backends/backend.js';
import { PostgresPoolerError } from './errors.js';
import { ensureFencingTable, lockStatement } from './fencing.js';
import { holderFromApplicationName, holderToApplicationName } from './holder.js';
import { checkNamespace, checkRoot, keyOf, lockIds, lockNumber, nameUnder } from './keys.js';
import { RELEASE_CHANNEL, ReleaseListener } from './listener.js';
import { Session, type SessionConfig, toLocksmithError } from './session.js';

/** Options of {@link postgresBackend}. */
export interface PostgresBackendOptions {
  /** A libpq-style URL, e.g. `postgres://user:password@db.internal:5432/app`. Not through a transaction pooler. */
  connectionString: string;
  /** Locks of different namespaces never exclude each other (1 to 63 of `A-Z a-z 0-9 _ . -`). Default `'locksmith'`. */
  namespace?: string;
  /**
   * A shared folder (say, a network share) that machines may mount at different paths. A lock name that
   * is an absolute path inside it is locked by its `/`-separated path relative to it, so `/mnt/a/x.json`
   * with root `/mnt/a` and `/srv/share/x.json` with root `/srv/share` are one lock (and the same lock as
   * the name `x.json`). Paths outside it are locked by their absolute path, as without a root: they
   * exclude only processes that name them by the same path. Resolved (symlinks too, when it exists) once,
   * when the backend is created. This is what lets the store and the check-out registry, which lock
   * absolute real paths, exclude each other across machines. Default: none.
   */
  root?: string;
  /** Issue fencing tokens (one upsert per grant in the `locksmith_fencing` table). Default true. */
  fencing?: boolean;
  /** Milliseconds to wait for a connection. Default 10 000. */
  connectTimeout?: number;
  /** Milliseconds a statement may take before its session is dropped (releasing its locks). Default 30 000. */
  queryTimeout?: number;
  /** While a handle's `signal` is watched, ping its session this often (ms) to notice a silent network loss. Default 5 000. */
  heartbeat?: number;
  /** Connections kept open while idle, for the next lock. Default 4. They never keep the process alive. */
  maxIdle?: number;
}

/** A PostgreSQL backend: `lock(name, { backend })`. See {@link postgresBackend}. */
export interface PostgresBackend extends Backend {
  readonly namespace: string;
  /** The real path of the `root` option, if given. */
  readonly root: string | undefined;
  keyFor(name: string, lockfilePath: string | undefined): string;
  /** Wakes waiters on releases (LISTEN/NOTIFY on one connection per backend, open while someone waits). */
  watch(key: string, onChange: () => void): () => void;
  /** Close the idle connections and the wake-up listener (held locks keep their own until released). */
  close(): Promise<void>;
}

const IDLE_MS = 5_000;
/** SQLSTATE of a lock wait cancelled by lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new LockInvalidArgumentError(`${what} must be a number >= 0, not ${String(value)}`);
  }
  return value;
}

class Grant implements BackendGrant {
  readonly fencingToken?: bigint;
  #released = false;

  constructor(
    private readonly backend: PgBackend,
    private readonly session: Session,
    private readonly key: string,
    private readonly lock: bigint,
    private readonly mode: LockMode,
    token: bigint | undefined,
  ) {
    if (token !== undefined) this.fencingToken = token;
  }

  stillHeld(): boolean {
    return !this.#released && !this.session.lost;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const { session } = this;
    if (session.lost) return; // the server ended the session, and its locks with it
    const unlock = this.mode === 'shared' ? 'pg_advisory_unlock_shared' : 'pg_advisory_unlock';
    try {
      const [row] = await session.query<{ ok: boolean }>(
        `select ${unlock}($1::bigint) as ok, pg_notify('${RELEASE_CHANNEL}', $1::text)`,
        [this.lock.toString()],
        `release ${this.key}`,
      );
      if (row?.ok) {
        this.backend.putIdle(session);
        return;
      }
    } catch {
      // Dropping the session below releases the lock on the server all the same.
    }
    await session.close();
  }

  watchLoss(onLost: (reason: Error) => void): () => void {
    let done = false;
    let unsubscribe: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const lost = (reason: Error) => {
      if (done || this.#released) return;
      done = true;
      stop();
      // The server may still count us as the holder (a silent network): drop the session so that it
      // releases the lock as soon as it notices, instead of holding it for a holder that has given up.
      void this.session.close();
      onLost(
        new LockCompromisedError(this.key, `its PostgreSQL session ended (${reason.message})`, {
          cause: reason,
        }),
      );
    };
    const every = this.backend.heartbeat;
    let beating = false;
    // A ping unanswered within one interval means the connection is gone, even if no socket error says so.
    const beat = async () => {
      if (beating) return;
      beating = true;
      const deadline = setTimeout(() => lost(new Error(`no answer to a ping within ${every} ms`)), every);
      deadline.unref();
      try {
        await this.session.query('select 1', [], 'check the session');
      } catch (error) {
        lost(error as Error);
      } finally {
        clearTimeout(deadline);
        beating = false;
      }
    };
    function stop() {
      clearInterval(timer);
      unsubscribe?.();
    }
    // Already lost (nobody was watching when the connection went): this calls `lost` at once.
    unsubscribe = this.session.onLost(lost);
    if (!done && every > 0) {
      timer = setInterval(() => void beat(), every);
      timer.unref();
    }
    return () => {
      done = true;
      stop();
    };
  }
}

/**
 * How long (ms) the tasks of one process pass a grant to each other before it goes back to the server
 * (`Backend.handoffMs`; the core's default is 10). Giving it back costs an unlock, a lock and the fencing
 * upsert, round trips during which nobody holds it (~2 ms against a local server): 4 tasks of one process
 * taking one name in a loop left it idle 14-17 % of the time at 10 ms, 4.4 % at 50 ms.
 */
export const POSTGRES_HANDOFF_MS = 50;

class PgBackend implements PostgresBackend {
  readonly name = 'postgres';
  readonly supportsShared = true;
  readonly handoffMs = POSTGRES_HANDOFF_MS;
  readonly namespace: string;
  readonly root: string | undefined;
  readonly heartbeat: number;
  readonly #roots: string[];
  readonly #config: SessionConfig;
  readonly #fencing: boolean;
  readonly #maxIdle: number;
  readonly #idle: { session: Session; timer: NodeJS.Timeout }[] = [];
  readonly #listener: ReleaseListener;
  #poolerChecked = false;

  constructor(options: PostgresBackendOptions) {
    if (typeof options?.connectionString !== 'string' || options.connectionString === '') {
      throw new LockInvalidArgumentError('postgresBackend needs a connectionString');
    }
    this.namespace = checkNamespace(options.namespace);
    this.#roots = checkRoot(options.root);
    this.root = this.#roots[0];
    this.#config = {
      connectionString: options.connectionString,
      connectTimeout: positive(options.connectTimeout, 10_000, 'connectTimeout'),
      queryTimeout: positive(options.queryTimeout, 30_000, 'queryTimeout'),
    };
    this.heartbeat = positive(options.heartbeat, 5_000, 'heartbeat');
    this.#maxIdle = positive(options.maxIdle, 4, 'maxIdle');
    this.#fencing = options.fencing ?? true;
    this.#listener = new ReleaseListener(() => Session.open(this.#config));
  }

  keyFor(name: string, lockfilePath: string | undefined): string {
    return keyOf(this.namespace, nameUnder(this.#roots, lockfilePath ?? name));
  }

  async tryAcquire(
    key: string,
    mode: LockMode,
    holder: HolderRecord,
    options: TryOptions = {},
  ): Promise<BackendGrant | undefined> {
    // Whole milliseconds: lock_timeout 0 would mean "wait forever".
    const wait = Math.floor(options.wait ?? 0);
    const lock = lockNumber(key);
    const session = await this.#take();
    if (this.#fencing) {
      try {
        await ensureFencingTable(this.#config.connectionString, session);
      } catch (error) {
        this.putIdle(session);
        throw error;
      }
    }
    const values: unknown[] = [lock.toString(), holderToApplicationName(holder)];
    if (this.#fencing) values.push(key);
    if (wait > 0) values.push(String(wait));
    let row: { ok: boolean; pid: number; token: string | null } | undefined;
    try {
      [row] = await session.query<{ ok: boolean; pid: number; token: string | null }>(
        lockStatement(mode === 'shared', this.#fencing, wait > 0),
        values,
        `lock ${key}`,
      );
    } catch (error) {
      if ((error as { sqlState?: string }).sqlState === LOCK_NOT_AVAILABLE && !session.lost) {
        // The server gave up waiting: busy. If it was the token row's wait that timed out, the advisory
        // lock was granted and outlives the rolled-back statement; this session holds nothing else, so
        // unlocking everything leaves it clean for the next lock.
        try {
          await session.query('select pg_advisory_unlock_all()', [], `lock ${key}`);
          this.putIdle(session);
        } catch {
          await session.close();
        }
        return undefined;
      }
      // The statement may have taken the lock before failing: only ending the session surely releases it.
      await session.close();
      throw error;
    }
    if (!row) {
      await session.close();
      throw toLocksmithError(new Error('the lock statement returned no row'), `lock ${key}`);
    }
    if (row.pid !== session.backendPid) {
      await session.close();
      throw new PostgresPoolerError(
        `The lock statement for ${key} ran on server session ${row.pid}, not ${session.backendPid}: the connection goes through a transaction-pooling proxy, where session advisory locks do not work.`,
      );
    }
    if (!row.ok) {
      this.putIdle(session);
      return undefined;
    }
    return new Grant(this, session, key, lock, mode, row.token === null ? undefined : BigInt(row.token));
  }

  async inspect(key: string): Promise<BackendStatus> {
    const { classid, objid } = lockIds(lockNumber(key));
    const session = await this.#take();
    let rows: { mode: string; application_name: string | null }[];
    try {
      rows = await session.query(
        `select l.mode, a.application_name from pg_locks l left join pg_stat_activity a on a.pid = l.pid
         where l.locktype = 'advisory' and l.granted and l.objsubid = 1
           and l.database = (select oid from pg_database where datname = current_database())
           and l.classid = $1::oid and l.objid = $2::oid
         order by a.backend_start`,
        [classid, objid],
        `inspect ${key}`,
      );
    } finally {
      this.putIdle(session);
    }
    const first = rows[0];
    if (!first) return { locked: false };
    const mode: LockMode = first.mode === 'ShareLock' ? 'shared' : 'exclusive';
    const holder = holderFromApplicationName(first.application_name);
    return { locked: true, mode, ...(holder ? { holder: { ...holder, mode } } : {}) };
  }

  watch(key: string, onChange: () => void): () => void {
    return this.#listener.watch(lockNumber(key).toString(), onChange);
  }

  /** Keep a session that holds no lock for the next acquisition, or close it. */
  putIdle(session: Session): void {
    if (session.lost || this.#idle.length >= this.#maxIdle) {
      void session.close();
      return;
    }
    const entry = {
      session,
      timer: setTimeout(() => {
        const index = this.#idle.indexOf(entry);
        if (index >= 0) this.#idle.splice(index, 1);
        void session.close();
      }, IDLE_MS),
    };
    entry.timer.unref();
    this.#idle.push(entry);
  }

  async #take(): Promise<Session> {
    for (let entry = this.#idle.pop(); entry; entry = this.#idle.pop()) {
      clearTimeout(entry.timer);
      if (!entry.session.lost) return entry.session;
    }
    const session = await Session.open(this.#config);
    if (!this.#poolerChecked) {
      try {
        await this.#checkPooler(session);
      } catch (error) {
        await session.close();
        throw error;
      }
      this.#poolerChecked = true;
    }
    return session;
  }

  /**
   * On first use, with a second connection open at the same time: two live connections straight to the
   * server are always two sessions, while a transaction pooler with an idle pool runs both on the same
   * server session (and one whose pool rotates moves the first connection's next statement elsewhere).
   */
  async #checkPooler(session: Session): Promise<void> {
    const other = await Session.open(this.#config);
    let again: number | undefined;
    try {
      [{ pid: again } = { pid: undefined }] = await session.query<{ pid: number }>(
        'select pg_backend_pid() as pid',
        [],
        'check for a pooler',
      );
    } catch (error) {
      await other.close();
      throw error;
    }
    if (other.backendPid === session.backendPid || again !== session.backendPid) {
      await other.close();
      throw new PostgresPoolerError(
        `Two connections to ${this.#where()} share server session ${other.backendPid}, or one connection moved between server sessions (${session.backendPid}, then ${again}): it goes through a transaction-pooling proxy such as PgBouncer, where session advisory locks do not work. Connect to PostgreSQL directly or to a session-pooling port.`,
      );
    }
    this.putIdle(other);
  }

  /** The server, for messages, without the password. */
  #where(): string {
    try {
      const url = new URL(this.#config.connectionString);
      return `${url.hostname}:${url.port || 5432}${url.pathname}`;
    } catch {
      return 'the server';
    }
  }

  async close(): Promise<void> {
    const idle = this.#idle.splice(0);
    for (const entry of idle) clearTimeout(entry.timer);
    await Promise.all([...idle.map((entry) => entry.session.close()), this.#listener.close()]);
  }
}

/**
 * A lock backend on PostgreSQL advisory locks, for processes on several machines: lock *names* (for
 * example paths relative to a shared root), not files. Each held lock has its own connection; the server
 * releases it when that connection ends, so a crashed holder never leaves a stale lock.
 *
 * With `root`, absolute paths inside that shared folder are locked by their path relative to it, so
 * machines that mount it at different paths (and the store and check-out registry on them) share locks.
 *
 * @throws {LockInvalidArgumentError} `LOCK_INVALID_ARGUMENT` for a missing connection string, a bad
 *   namespace, or a `root` that is not a path (or exists but cannot be resolved).
 * Locking through it may throw `POSTGRES_CONNECTION`, `POSTGRES_QUERY`, `POSTGRES_POOLER`, and
 * `LOCK_UNSUPPORTED` when the `pg` package is not installed.
 * @example
 * import { withLock } from 'locksmith';
 * import { postgresBackend } from 'locksmith/postgres';
 * const backend = postgresBackend({ connectionString: process.env.DATABASE_URL! });
 * await withLock('renders/shot-042', async (handle) => render(handle.fencingToken), { backend });
 * @example
 * // The share is /mnt/designs here and /Volumes/designs on another machine: both lock 'bracket.mcam'.
 * import { openCheckouts } from 'locksmith';
 * const shared = postgresBackend({ connectionString: process.env.DATABASE_URL!, root: '/mnt/designs' });
 * const designs = openCheckouts('/mnt/designs', { backend: shared });
 */
export function postgresBackend(options: PostgresBackendOptions): PostgresBackend {
  return new PgBackend(options);
}
