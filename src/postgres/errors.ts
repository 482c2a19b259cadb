import { LocksmithError } from '../errors.js';

/**
 * The PostgreSQL server cannot be reached, refused the connection (authentication, no such database), or
 * the connection broke during a call. The driver's error is the `cause`.
 */
export class PostgresConnectionError extends LocksmithError {
  static override readonly code = 'POSTGRES_CONNECTION';
  override readonly code = PostgresConnectionError.code;
  override readonly name = 'PostgresConnectionError';
}

/**
 * The server refused a query of the backend (for example no right to create the fencing-token table).
 * `sqlState` is the server's SQLSTATE; the driver's error is the `cause`.
 */
export class PostgresQueryError extends LocksmithError {
  static override readonly code = 'POSTGRES_QUERY';
  override readonly code = PostgresQueryError.code;
  override readonly name = 'PostgresQueryError';
  readonly sqlState: string | undefined;

  constructor(message: string, sqlState: string | undefined, options?: ErrorOptions) {
    super(message, options);
    this.sqlState = sqlState;
  }
}

/**
 * The connection goes through a transaction- or statement-pooling proxy (PgBouncer, Supavisor, RDS Proxy
 * in transaction mode...): consecutive statements ran on different server sessions, so session advisory
 * locks cannot work. Connect to the server directly, or through a session-pooling port.
 */
export class PostgresPoolerError extends LocksmithError {
  static override readonly code = 'POSTGRES_POOLER';
  override readonly code = PostgresPoolerError.code;
  override readonly name = 'PostgresPoolerError';
}
