// One process of the proper-lockfile stale-takeover race (bench/figures/stale-race.ts,
// scripts/proper-lockfile-torture.ts, test/proper-lockfile/stale-race.test.ts). Bundled with esbuild and
// forked with IPC; argv[2] picks the implementation: 'proper-lockfile' (the real package) or 'drop-in'
// (locksmith/proper-lockfile). Messages in:
//   { type: 'hold', file, stale }                       lock and keep it (the harness SIGKILLs us)
//   { type: 'race', file, log, hold, stale, poll, round } wait (retrying every `poll` ms), log enter/exit
//                                                        around `hold` ms to the O_APPEND log, release
//   { type: 'count', file, n, stale, poll }             n locked read-increment-writes of {"count":N}
// Messages out: 'ready', 'locked', 'raced' { acquiredAt }, 'counted'; on failure they carry `error`.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as dropIn from '../src/proper-lockfile/index.js';

interface Api {
  lock(file: string, options?: Record<string, unknown>): Promise<() => Promise<void>>;
}

const impl = process.argv[2];
const api: Api =
  impl === 'drop-in'
    ? (dropIn as unknown as Api)
    : (createRequire(import.meta.url)('proper-lockfile') as Api);

function send(message: Record<string, unknown>): void {
  process.send?.(message);
}

interface Message {
  type: string;
  file: string;
  log?: string;
  hold?: number;
  stale?: number;
  poll?: number;
  round?: number;
  n?: number;
}

const options = (m: Message, wait: boolean) => ({
  realpath: false,
  stale: m.stale ?? 2_000,
  // Retry forever, every `poll` ms, as a waiter configured for quick takeovers would.
  ...(wait
    ? {
        retries: { forever: true, retries: 1, factor: 1, minTimeout: m.poll ?? 10, maxTimeout: m.poll ?? 10 },
      }
    : {}),
  onCompromised: () => send({ type: 'compromised' }),
});

process.on('message', async (raw) => {
  const m = raw as Message;
  try {
    if (m.type === 'hold') {
      await api.lock(m.file, options(m, false));
      send({ type: 'locked' });
    } else if (m.type === 'race') {
      const release = await api.lock(m.file, options(m, true));
      const acquiredAt = Date.now();
      appendFileSync(m.log!, `enter ${process.pid} ${m.round}\n`);
      await new Promise((resolve) => setTimeout(resolve, m.hold ?? 20));
      appendFileSync(m.log!, `exit ${process.pid} ${m.round}\n`);
      await release();
      send({ type: 'raced', acquiredAt, round: m.round });
    } else if (m.type === 'count') {
      for (let i = 0; i < (m.n ?? 1); i++) {
        const release = await api.lock(m.file, options(m, true));
        const { count } = JSON.parse(readFileSync(m.file, 'utf8')) as { count: number };
        writeFileSync(m.file, JSON.stringify({ count: count + 1 }));
        await release();
      }
      send({ type: 'counted' });
    }
  } catch (error) {
    const e = error as { code?: string; message?: string };
    const type = m.type === 'hold' ? 'locked' : m.type === 'race' ? 'raced' : 'counted';
    send({ type, error: `${e.code}: ${e.message}` });
  }
});

// Load what the first lock would load (the drop-in's FFI binding), so that a trial times the race only.
const warm = `${tmpdir()}/stale-racer-warm-${process.pid}`;
void api.lock(warm, { realpath: false }).then(
  (release) => release().finally(() => send({ type: 'ready', pid: process.pid })),
  () => send({ type: 'ready', pid: process.pid }),
);
