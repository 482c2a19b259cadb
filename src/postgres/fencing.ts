import type { Session } from './session.js';

/**
 * The table of fencing tokens: one row per lock key (namespace included), its last token. Created on first
 * use when missing (this needs the right to create a table in the first schema of the `search_path`; an
 * administrator can create it ahead with the same statement).
 */
export const FENCING_TABLE_DDL =
  'create table if not exists locksmith_fencing (key text primary key, token bigint not null)';

const ensured = new Map<string, Promise<void>>();

/** Create the table once per connection string and process; concurrent creators are not an error. */
export function ensureFencingTable(connectionString: string, session: Session): Promise<void> {
  let done = ensured.get(connectionString);
  if (!done) {
    done = session.query(FENCING_TABLE_DDL, [], 'create the fencing-token table').then(
      () => {},
      (error: unknown) => {
        // Two processes racing through CREATE TABLE IF NOT EXISTS: the loser sees a unique violation.
        const state = (error as { sqlState?: string }).sqlState;
        if (state === '23505' || state === '42P07') return;
        ensured.delete(connectionString);
        throw error;
      },
    );
    ensured.set(connectionString, done);
  }
  return done;
}

/**
 * Take the advisory lock and, when it is granted, the next fencing token, in one statement (one round
 * trip). The token row is updated under the lock and committed before the statement returns, so the next
 * holder, who can only get the lock after this one releases it, always reads a larger token.
 */
export function lockStatement(shared: boolean, fencing: boolean): string {
  const take = shared ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
  const lock = `select ${take}($1::bigint) as ok, pg_backend_pid() as pid, set_config('application_name', $2, false)`;
  if (!fencing) return `${lock}, null::text as token`;
  // The token must survive a server crash (or a later holder could be handed the same token again), so
  // this statement's commit waits for the disk even though the session's others do not.
  return `with l as materialized (${lock}, set_config('synchronous_commit', 'on', true)),
    t as (insert into locksmith_fencing as f (key, token) select $3, 1 from l where l.ok
          on conflict (key) do update set token = f.token + 1 returning f.token)
    select l.ok, l.pid, (select t.token::text from t) as token from l`;
}
