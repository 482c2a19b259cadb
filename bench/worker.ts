// The worker process for the Node subjects, bundled by the harness into bench/.work/worker.mjs (a plain
// `node` start is 0.1 s; through tsx it is 0.5 s, which 16-process figures would pay many times over).
// Command line: SUBJECT TASK TARGET [N]; protocol: JSON lines on stdout, commands as lines on stdin,
// the same as bench/native/flock-bench.c and filelock_bench.py.
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { nodeSubject } from './subjects/index.js';
import type { Locker, Task } from './subjects/subject.js';

const [id = '', task = '', target = '', count = '0'] = process.argv.slice(2);
const n = Number(count);

function say(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
/** The next command line from the harness, or undefined at EOF. */
async function nextLine(): Promise<string | undefined> {
  const next = await lines.next();
  return next.done ? undefined : next.value;
}

const epoch = () => performance.timeOrigin + performance.now();

/** One locked read-increment-write of the JSON counter; 1 when the read was torn. */
function increment(): number {
  let count: number;
  try {
    count = (JSON.parse(readFileSync(target, 'utf8')) as { count: number }).count;
  } catch {
    return 1;
  }
  writeFileSync(target, JSON.stringify({ count: count + 1 }));
  return 0;
}

async function uncontended(locker: Locker, budgetMs: number): Promise<void> {
  for (let i = 0; i < 50; i++) await (await locker.acquire())();
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 10; i++) await (await locker.acquire())();
    ops += 10;
    elapsed = performance.now() - start;
  } while (elapsed < budgetMs);
  say({ type: 'result', usPerOp: (elapsed * 1000) / ops, ops });
}

async function contended(locker: Locker, cycles: number): Promise<void> {
  const waits: number[] = [];
  let torn = 0;
  say({ type: 'ready' });
  await nextLine();
  const start = epoch();
  for (let i = 0; i < cycles; i++) {
    const t0 = performance.now();
    const release = await locker.acquire();
    waits.push(performance.now() - t0);
    torn += increment();
    await release();
  }
  say({ type: 'result', start, end: epoch(), torn, waits });
}

/** CPU this process burns over `ms` while its acquisition waits (process.cpuUsage, user + system). */
async function idle(locker: Locker, ms: number): Promise<void> {
  void locker.acquire().then((release) => release());
  say({ type: 'waiting' });
  await sleep(500); // let the wait settle into its steady state before measuring
  const before = process.cpuUsage();
  const t0 = performance.now();
  await sleep(ms);
  const used = process.cpuUsage(before);
  say({ type: 'result', cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - t0 });
}

/**
 * Latency of unrelated `fs.promises.readFile`s while `waiters` acquisitions of this process wait for a lock
 * another process holds: one read every 20 ms for 500 ms. A read that has not finished `capMs` after the
 * window is reported as null (it never ran: the threadpool was starved).
 */
async function threadpool(locker: Locker, waiters: number, capMs = 3000): Promise<void> {
  const unrelated = `${target}.unrelated`;
  await writeFile(unrelated, 'x'.repeat(4096));
  for (let i = 0; i < waiters; i++) {
    void locker.acquire().then(
      (release) => release(),
      () => {},
    );
  }
  await sleep(200);
  const latencies: (number | null)[] = [];
  const reads: Promise<void>[] = [];
  for (let i = 0; i < 25; i++) {
    const index = i;
    latencies.push(null);
    const t0 = performance.now();
    reads.push(
      readFile(unrelated).then(() => {
        latencies[index] = performance.now() - t0;
      }),
    );
    await sleep(20);
  }
  say({ type: 'window' });
  await Promise.race([Promise.all(reads), sleep(capMs)]);
  say({ type: 'result', latencies });
}

async function main(): Promise<void> {
  const locker = await nodeSubject(id).open(target);
  switch (task as Task) {
    case 'uncontended':
      return uncontended(locker, n);
    case 'contended':
      return contended(locker, n);
    case 'idle':
      return idle(locker, n);
    case 'threadpool':
      return threadpool(locker, n);
    case 'hold': {
      const release = await locker.acquire();
      say({ type: 'held' });
      await nextLine();
      await release();
      say({ type: 'released' });
      return;
    }
    case 'wait': {
      say({ type: 'waiting' });
      const release = await locker.acquire();
      say({ type: 'acquired', at: epoch() });
      await release();
      return;
    }
    default:
      throw new Error(`unknown task "${task}"`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
