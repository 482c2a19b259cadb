import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { LockUnsupportedError } from '../errors.js';
import { PostgresConnectionError, PostgresPoolerError, PostgresQueryError } from './errors.js';
import { lockIds } from './keys.js';

/** What a session needs to connect. */
export interface SessionConfig {
  connectionString: string;
  connectTimeout: number;
  queryTimeout: number;
}

/** node-postgres' Client has `ref`/`unref` (used by its pool's `allowExitOnIdle`); its types omit them. */
type PgClientWithRef = pg.Client & { ref(): void; unref(): void };

/**
 * The part of node-postgres' Client that locksmith uses. Declared here rather than taken from `@types/pg`
 * so that the published types stand alone: a TypeScript user of `locksmith/postgres` needs no `@types/pg`
 * (even with `skipLibCheck: false`). `asClient` below checks at compile time that pg's Client fits it.
 */
export interface Client {
  connect(): Promise<unknown>;
  query<R extends Record<string, unknown>>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string | undefined }) => void,
  ): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  ref(): void;
  unref(): void;
}

function asClient(client: PgClientWithRef): Client {
  return client;
}

let driver: Promise<typeof pg> | undefined;

/** `pg` is an optional peer dependency: loaded on first use, with a clear error when it is missing. */
function loadDriver(): Promise<typeof pg> {
  driver ??= import('pg').then(
    (module) => (module as { default?: typeof pg }).default ?? (module as unknown as typeof pg),
    (error: unknown) => {
      driver = undefined;
      throw new LockUnsupportedError(
        'The postgres backend needs the "pg" package (node-postgres): npm install pg',
        { cause: error },
      );
    },
  );
  return driver;
}

/** A driver error as a locksmith error: the server's refusals (with a SQLSTATE) apart from broken connections. */
export function toLocksmithError(error: unknown, doing: string): Error {
  if (error instanceof PostgresPoolerError || error instanceof LockUnsupportedError) return error;
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  // SQLSTATE class 08 is "connection exception"; 57P0x are the server shutting the session down.
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && !/^(08|57P0)/.test(e.code)) {
    return new PostgresQueryError(`PostgreSQL refused to ${doing}: ${message}`, e.code, { cause: error });
  }
  return new PostgresConnectionError(`PostgreSQL connection failed while trying to ${doing}: ${message}`, {
    cause: error,
  });
}

/**
 * One connection to the server, used by one lock at a time (PostgreSQL's session locks re-enter within a
 * session, so two holders must never share one). Its socket does not keep the process alive while no query
 * runs, so a held lock, like a kernel lock, never stops a program from exiting (which releases it).
 */
export class Session {
  /** The server process of this session, checked on every lock statement (a pooler would change it). */
  readonly backendPid: number;
  #lost: Error | undefined;
  readonly #lossListeners = new Set<(reason: Error) => void>();
  #running = 0;
  #closed = false;

  private constructor(
    readonly client: Client,
    backendPid: number,
  ) {
    this.backendPid = backendPid;
  }

  /** Connect, make the server notice a vanished client quickly, and refuse a transaction pooler. */
  static async open(config: SessionConfig): Promise<Session> {
    const { Client } = await loadDriver();
    const client = asClient(
      new Client({
        connectionString: config.connectionString,
        connectionTimeoutMillis: config.connectTimeout,
        query_timeout: config.queryTimeout,
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
      }) as PgClientWithRef,
    );
    let failure: Error | undefined;
    const early = (error: Error) => {
      failure ??= error;
    };
    client.on('error', early);
    try {
      await client.connect();
    } catch (error) {
      client.removeListener('error', early);
      client.on('error', () => {});
      // Refusals at connect time (bad password, no such database) are connection errors too.
      const message = (error as { message?: unknown })?.message;
      throw new PostgresConnectionError(`Cannot connect to PostgreSQL: ${String(message ?? error)}`, {
        cause: error,
      });
    }
    const probe = BigInt.asIntN(64, randomBytes(8).readBigUInt64BE(0));
    let first: { pid: number; probe: boolean };
    let second: { pid: number; held: boolean };
    try {
      // Server-side keepalives: a client machine that vanishes without closing its socket loses its locks
      // in about 25 s instead of the OS default of 2 hours. No idle timeout may end a held lock. Commits
      // need not wait for the disk (a release's NOTIFY commits), except a fencing token's (see fencing.ts).
      first = (
        await client.query<{ pid: number; probe: boolean }>(
          `select pg_backend_pid() as pid, pg_try_advisory_lock($1::bigint) as probe,
             set_config('tcp_keepalives_idle', '10', false),
             set_config('tcp_keepalives_interval', '5', false),
             set_config('tcp_keepalives_count', '3', false),
             case when current_setting('server_version_num')::int >= 140000
               then set_config('idle_session_timeout', '0', false) end,
             set_config('idle_in_transaction_session_timeout', '0', false),
             set_config('synchronous_commit', 'off', false)`,
          [probe.toString()],
        )
      ).rows[0]!;
      // A session lock taken by one statement must be visible to the next one on the same connection.
      second = (
        await client.query<{ pid: number; held: boolean }>(
          `select pg_backend_pid() as pid, exists(select 1 from pg_locks where locktype = 'advisory'
             and pid = pg_backend_pid() and classid = $1::oid and objid = $2::oid and objsubid = 1
             and granted) as held, pg_advisory_unlock_all()`,
          [lockIds(probe).classid, lockIds(probe).objid],
        )
      ).rows[0]!;
    } catch (error) {
      await client.end().catch(() => {});
      throw toLocksmithError(error, 'set up a session');
    }
    if (first.pid !== second.pid || !first.probe || !second.held) {
      await client.end().catch(() => {});
      throw new PostgresPoolerError(
        `Session advisory locks do not work through this connection (the server session changed between two statements: pid ${first.pid} then ${second.pid}); it probably goes through a transaction-pooling proxy such as PgBouncer. Connect to PostgreSQL directly or to a session-pooling port.`,
      );
    }
    const session = new Session(client, first.pid);
    client.removeListener('error', early);
    client.on('error', (error) => session.#lose(error));
    client.on('end', () => session.#lose(new Error('the connection was closed')));
    if (failure) session.#lose(failure);
    client.unref();
    return session;
  }

  /** Why the connection is gone, or `undefined` while it is usable. */
  get lost(): Error | undefined {
    return this.#lost;
  }

  /** Run one statement. Rejects with a locksmith error; a broken connection also marks the session lost. */
  async query<R extends Record<string, unknown>>(
    text: string,
    values: unknown[],
    doing: string,
  ): Promise<R[]> {
    if (this.#lost) throw toLocksmithError(this.#lost, doing);
    if (this.#running++ === 0) this.client.ref();
    try {
      return (await this.client.query<R>(text, values)).rows;
    } catch (error) {
      const mapped = toLocksmithError(error, doing);
      // A client-side timeout leaves the statement running on the server, and an unknown state is not a
      // state to hold locks in: drop the session, which makes the server release whatever it holds.
      if (!(mapped instanceof PostgresQueryError)) this.#lose(error as Error);
      throw mapped;
    } finally {
      if (--this.#running === 0 && !this.#closed) this.client.unref();
    }
  }

  /** Called once if the connection is lost; returns a function that stops listening. */
  onLost(listener: (reason: Error) => void): () => void {
    if (this.#lost) {
      listener(this.#lost);
      return () => {};
    }
    this.#lossListeners.add(listener);
    return () => this.#lossListeners.delete(listener);
  }

  /** Close the connection; the server ends the session and with it every lock it held. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#lost ??= new Error('the session was closed');
      this.#lossListeners.clear();
      this.client.ref();
      return this.client.end().catch(() => {});
    }
    return Promise.resolve();
  }

  #lose(reason: Error): void {
    if (this.#lost) return;
    this.#lost = reason;
    const listeners = [...this.#lossListeners];
    this.#lossListeners.clear();
    for (const listener of listeners) listener(reason);
    if (!this.#closed) {
      this.#closed = true;
      void this.client.end().catch(() => {});
    }
  }
}
