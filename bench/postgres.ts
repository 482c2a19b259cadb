// The price of going distributed: PostgreSQL advisory locks against the kernel backend, on this machine.
// Prints one JSON object. Needs LOCKSMITH_TEST_PG (see .ci/postgres.sh); without it, prints the reason.
// Usage: node --import tsx bench/postgres.ts [--cycles=100] [--processes=4] [--uncontended=300]
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BackendOption, lock } from '../src/index.js';
import { postgresBackend } from '../src/postgres/index.js';

const self = fileURLToPath(import.meta.url);
const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const CONNECTION = process.env.LOCKSMITH_TEST_PG;
const NAMESPACE = `bench-${process.pid}`;

type Kind = 'kernel' | 'postgres' | 'postgres-no-fencing';

function backendFor(kind: Kind): { option: BackendOption; close: () => Promise<void> } {
  if (kind === 'kernel') return { option: 'kernel', close: async () => {} };
  const backend = postgresBackend({
    connectionString: CONNECTION!,
    namespace: process.env.BENCH_NAMESPACE ?? NAMESPACE,
    fencing: kind === 'postgres',
  });
  return { option: backend, close: () => backend.close() };
}

/** Locked read-increment-write cycles on one JSON file (the anchors' workload). */
async function cycles(kind: Kind, file: string, count: number): Promise<void> {
  const { option, close } = backendFor(kind);
  for (let i = 0; i < count; i++) {
    const handle = await lock(file, { backend: option });
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { count: number };
      writeFileSync(file, JSON.stringify({ count: data.count + 1 }));
    } finally {
      await handle.release();
    }
  }
  await close();
}

async function uncontended(kind: Kind, file: string, count: number): Promise<number> {
  const { option, close } = backendFor(kind);
  for (let i = 0; i < 20; i++) await (await lock(file, { backend: option })).release(); // warm up
  const start = performance.now();
  for (let i = 0; i < count; i++) await (await lock(file, { backend: option })).release();
  const micros = ((performance.now() - start) * 1000) / count;
  await close();
  return Math.round(micros);
}

async function contended(kind: Kind, dir: string, processes: number, count: number) {
  const file = path.join(dir, `${kind}-counter.json`);
  writeFileSync(file, JSON.stringify({ count: 0 }));
  const children = Array.from({ length: processes }, () =>
    fork(self, ['--child', kind, file, String(count)], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_NAMESPACE: NAMESPACE },
    }),
  );
  const message = (child: (typeof children)[number]) =>
    new Promise<unknown>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`bench child exited with ${code}`)));
    });
  await Promise.all(children.map(message)); // ready
  const start = performance.now();
  const done = Promise.all(children.map(message));
  for (const child of children) child.send('go');
  await done;
  const seconds = (performance.now() - start) / 1000;
  const final = JSON.parse(readFileSync(file, 'utf8')).count as number;
  return { opsPerSec: Math.round((processes * count) / seconds), lostUpdates: processes * count - final };
}

if (process.argv[2] === '--child') {
  const [, , , kind, file, count] = process.argv;
  process.send?.('ready');
  process.once('message', async () => {
    await cycles(kind as Kind, file!, Number(count));
    process.send?.('done', () => process.exit(0));
  });
} else if (!CONNECTION) {
  console.log(JSON.stringify({ skipped: 'LOCKSMITH_TEST_PG is not set (see .ci/postgres.sh)' }));
} else {
  const processes = arg('processes', 4);
  const count = arg('cycles', 100);
  const single = arg('uncontended', 300);
  const dir = mkdtempSync(path.join(tmpdir(), 'locksmith-bench-'));
  try {
    const kinds: Kind[] = ['kernel', 'postgres', 'postgres-no-fencing'];
    const result: Record<string, unknown> = {
      workload: `uncontended: ${single} acquire+release; contended: ${processes} processes x ${count} locked read-increment-write cycles on one JSON file`,
      uncontendedMicrosPerOp: {} as Record<string, number>,
      contended: {} as Record<string, unknown>,
    };
    for (const kind of kinds) {
      (result.uncontendedMicrosPerOp as Record<string, number>)[kind] = await uncontended(
        kind,
        path.join(dir, `${kind}-single.json`),
        single,
      );
    }
    for (const kind of kinds) {
      (result.contended as Record<string, unknown>)[kind] = await contended(kind, dir, processes, count);
    }
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
