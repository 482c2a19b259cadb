import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { lock, tryLock } from '../../src/index.js';
import { postgresBackend } from '../../src/postgres/index.js';
import { WORK_DIR } from '../lib/paths.js';
import type { NodeSubject } from './subject.js';

const NAMESPACE = 'locksmith-bench';

/** locksmith's PostgreSQL backend (advisory locks, fencing on), when LOCKSMITH_TEST_PG names a server. */
export const postgres: NodeSubject = {
  kind: 'node',
  id: 'postgres',
  label: 'locksmith (postgres)',
  mechanism: 'PostgreSQL advisory lock over one connection per holder, fencing token upsert',
  version: () => undefined,
  async probe() {
    const connectionString = process.env.LOCKSMITH_TEST_PG;
    if (!connectionString)
      return 'LOCKSMITH_TEST_PG is not set (eval "$(bash .ci/postgres.sh)" starts a server)';
    const backend = postgresBackend({ connectionString, namespace: NAMESPACE, connectTimeout: 5_000 });
    const dir = mkdtempSync(path.join(WORK_DIR, 'probe-'));
    try {
      const handle = await tryLock(path.join(dir, 'probe'), { backend });
      if (!handle) return 'the postgres backend reported a fresh lock as busy';
      await handle.release();
      return undefined;
    } catch (error) {
      return `the postgres backend cannot lock: ${(error as Error).message}`;
    } finally {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
  open(target) {
    const backend = postgresBackend({
      connectionString: process.env.LOCKSMITH_TEST_PG!,
      namespace: NAMESPACE,
    });
    return {
      async acquire() {
        const handle = await lock(target, { backend });
        return () => handle.release();
      },
    };
  },
};
