// The PostgreSQL server of the tests: LOCKSMITH_TEST_PG (set by .ci/run through .ci/postgres.sh).
// Without it the postgres tests skip with this reason, so `npm test` stays green without a server.
import pg from 'pg';
import { lockIds, lockNumber } from '../../src/postgres/keys.js';

export const CONNECTION = process.env.LOCKSMITH_TEST_PG;
export const SKIP = CONNECTION
  ? undefined
  : 'LOCKSMITH_TEST_PG is not set (run: eval "$(sudo bash .ci/postgres.sh)")';
/** The same database through PgBouncer in transaction mode (see .ci/postgres.sh). */
export const BOUNCER = process.env.LOCKSMITH_TEST_PGBOUNCER;
export const SKIP_BOUNCER =
  SKIP ??
  (BOUNCER ? undefined : 'LOCKSMITH_TEST_PGBOUNCER is not set (run: eval "$(sudo bash .ci/postgres.sh)")');

/** A plain connection of the test itself, to look at pg_locks and to terminate sessions. */
export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: CONNECTION });
  await client.connect();
  return client;
}

/** The advisory locks on `key` in this database: one row per session, granted or waiting. */
export async function locksOn(
  client: pg.Client,
  key: string,
): Promise<{ pid: number; mode: string; granted: boolean }[]> {
  const { classid, objid } = lockIds(lockNumber(key));
  const result = await client.query<{ pid: number; mode: string; granted: boolean }>(
    `select pid, mode, granted from pg_locks where locktype = 'advisory' and objsubid = 1
       and database = (select oid from pg_database where datname = current_database())
       and classid = $1::oid and objid = $2::oid order by pid`,
    [classid, objid],
  );
  return result.rows;
}
