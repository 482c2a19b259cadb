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
 *
 * With `wait`, the statement waits in the server's lock queue for at most `lock_timeout` (its last
 * parameter, in ms, for this statement only): the server hands the lock straight to the first waiter on
 * release, and when the time is up it cancels the wait itself (SQLSTATE 55P03), so a wait that times out
 * can never be granted later.
 */
export function lockStatement(shared: boolean, fencing: boolean, wait: boolean): string {
  const suffix = shared ? '_shared' : '';
  // The token must survive a server crash (or a later holder could be handed the same token again), so
  // a fencing statement's commit waits for the disk even though the session's others do not.
  const common = `pg_backend_pid() as pid, set_config('application_name', $2, false)${
    fencing ? `, set_config('synchronous_commit', 'on', true)` : ', null::text as token'
  }`;
  // The FROM item runs first: lock_timeout is set before the lateral call that waits (which names it).
  const lock = wait
    ? `select true as ok, ${common}
       from (select set_config('lock_timeout', ${fencing ? '$4' : '$3'} || 'ms', true) as t) s
       cross join lateral (select pg_advisory_lock${suffix}($1::bigint), s.t) x`
    : `select pg_try_advisory_lock${suffix}($1::bigint) as ok, ${common}`;
  if (!fencing) return lock;
  return `with l as materialized (${lock}),
    t as (insert into locksmith_fencing as f (key, token) select $3, 1 from l where l.ok
          on conflict (key) do update set token = f.token + 1 returning f.token)
    select l.ok, l.pid, (select t.token::text from t) as token from l`;
}
