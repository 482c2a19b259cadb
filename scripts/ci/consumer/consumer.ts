// Type-checked by ../pack-smoke.sh in a fresh consumer (strict, skipLibCheck false, no @types/pg).
import { type LockHandle, lock, openStore } from 'locksmith';
import { FENCING_TABLE_DDL, type PostgresBackend, postgresBackend } from 'locksmith/postgres';

export async function demo(url: string): Promise<number> {
  const backend: PostgresBackend = postgresBackend({ connectionString: url });
  const handle: LockHandle = await lock('data/x', { backend, timeout: 1_000 });
  await handle.release();
  const store = openStore<{ count: number }>('data/s.json', { defaults: { count: 0 } });
  const next = await store.update((draft) => {
    draft.count += 1;
  });
  return next.count + FENCING_TABLE_DDL.length;
}
