// How the PostgreSQL backend fails: typed errors, never a silent lock that does not exclude.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LockInvalidArgumentError,
  lock,
  PostgresConnectionError,
  PostgresPoolerError,
} from '../../src/index.js';
import { postgresBackend } from '../../src/postgres/index.js';
import { adminClient, BOUNCER, CONNECTION, locksOn, SKIP, SKIP_BOUNCER } from './server.js';

describe('postgres backend failures', { timeout: 30_000 }, () => {
  it('rejects a missing connection string, a bad namespace and bad numbers', () => {
    assert.throws(() => postgresBackend({} as never), LockInvalidArgumentError);
    for (const namespace of ['', 'a:b', 'sp ace', 'x'.repeat(64)]) {
      assert.throws(() => postgresBackend({ connectionString: 'postgres://x', namespace }), {
        code: 'LOCK_INVALID_ARGUMENT',
      });
    }
    assert.throws(() => postgresBackend({ connectionString: 'postgres://x', heartbeat: -1 }), {
      code: 'LOCK_INVALID_ARGUMENT',
    });
  });

  it('a server that cannot be reached: POSTGRES_CONNECTION', async () => {
    const backend = postgresBackend({ connectionString: 'postgres://nobody:x@127.0.0.1:1/none' });
    const error = await lock('x', { backend, timeout: 0 }).catch((e: unknown) => e);
    assert.ok(error instanceof PostgresConnectionError, String(error));
    assert.equal(error.code, 'POSTGRES_CONNECTION');
    assert.ok(error.cause);
  });

  it('a wrong password: POSTGRES_CONNECTION, naming the refusal', { skip: SKIP }, async () => {
    const url = new URL(CONNECTION!);
    url.password = 'wrong';
    const backend = postgresBackend({ connectionString: url.toString() });
    const error = await lock('x', { backend, timeout: 0 }).catch((e: unknown) => e);
    assert.ok(error instanceof PostgresConnectionError, String(error));
    assert.match(error.message, /password authentication failed/);
  });

  it('through PgBouncer in transaction mode: POSTGRES_POOLER, and no lock left on the server', {
    skip: SKIP_BOUNCER,
  }, async () => {
    const namespace = `pooler-${process.pid}`;
    const backend = postgresBackend({ connectionString: BOUNCER!, namespace, fencing: false });
    const error = await lock('shared/file', { backend, timeout: 0 }).catch((e: unknown) => e);
    assert.ok(error instanceof PostgresPoolerError, String(error));
    assert.equal(error.code, 'POSTGRES_POOLER');
    assert.match(error.message, /transaction-pooling proxy/);
    const admin = await adminClient();
    try {
      assert.deepEqual(await locksOn(admin, `postgres:${namespace}:shared/file`), []);
    } finally {
      await admin.end();
      await backend.close();
    }
  });
});
