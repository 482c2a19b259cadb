// The lease backend against proper-lockfile (and the kernel backend as the reference), in one run:
// contended ops/s (4 processes x 100 locked read-increment-write cycles of one JSON file) and the time
// from SIGKILLing a holder to a waiting process holding the lock.
//   node --import tsx bench/lease.ts [--contended-only | --recovery-only]   (BENCH_LIBS=lease,kernel,...)
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./lease-worker.ts', import.meta.url));
const LIBS = (process.env.BENCH_LIBS ?? 'kernel,lease,proper-lockfile').split(',');
const dir = mkdtempSync(path.join(tmpdir(), 'locksmith-bench-'));
let n = 0;

function start(args: string[]): ChildProcess {
  return fork(WORKER, args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function message(child: ChildProcess, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before "${type}"`)));
  });
}

async function contended(lib: string, processes = 4, times = 100): Promise<string> {
  const file = path.join(dir, `counter-${++n}.json`);
  writeFileSync(file, JSON.stringify({ count: 0 }));
  const children = Array.from({ length: processes }, () => start([lib, file, 'increment', String(times)]));
  await Promise.all(children.map((c) => message(c, 'ready')));
  const begin = performance.now();
  for (const child of children) child.send({ type: 'go' });
  await Promise.all(children.map((c) => message(c, 'done')));
  const elapsed = performance.now() - begin;
  await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : undefined)));
  const count = (JSON.parse(readFileSync(file, 'utf8')) as { count: number }).count;
  const ops = (processes * times) / (elapsed / 1000);
  return `${lib}: ${count}/${processes * times} increments, ${ops.toFixed(0)} ops/s`;
}

async function recovery(lib: string): Promise<string> {
  const file = path.join(dir, `recover-${++n}.json`);
  writeFileSync(file, '{}');
  const holder = start([lib, file, 'hold']);
  await message(holder, 'locked');
  const waiter = start([lib, file, 'wait']);
  await message(waiter, 'waiting');
  await new Promise((resolve) => setTimeout(resolve, 300)); // the waiter is inside its wait
  const acquired = message(waiter, 'acquired');
  const killedAt = Date.now();
  holder.kill('SIGKILL');
  const { at } = (await acquired) as { at: number };
  await once(waiter, 'exit');
  return `${lib}: recovered ${at - killedAt} ms after the holder's SIGKILL`;
}

if (!process.argv.includes('--recovery-only')) for (const lib of LIBS) console.log(await contended(lib));
if (!process.argv.includes('--contended-only')) for (const lib of LIBS) console.log(await recovery(lib));
rmSync(dir, { recursive: true, force: true });
