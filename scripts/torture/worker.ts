// A torture worker: `tasks` async loops that lock a random lock file (random mode, timeout, abort and
// removeOnRelease), hold it a random short time and release, logging every hold to the shared log.
// Started by the conductor with IPC; stops on { type: 'stop' }, and exits if the conductor goes away.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type LockHandle, type LockOptions, lock, openStore, type UpdateOptions } from '../../src/index.js';
import { selectBackend } from '../../src/lock/backends/select.js';
import { type Counter, RecordLog } from './records.js';

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    dir: { type: 'string' },
    log: { type: 'string' },
    keys: { type: 'string' },
    tasks: { type: 'string' },
    backend: { type: 'string' },
    store: { type: 'string' },
  },
});
const id = Number(values.id);
const dir = values.dir!;
const keys = Number(values.keys);
const tasks = Number(values.tasks);
const backend = values.backend as 'kernel' | 'lease';
const supportsShared = selectBackend(backend).supportsShared;
const log = new RecordLog(values.log!);

if (!process.send) {
  console.error('torture worker: started without an IPC channel; run it through npm run torture');
  process.exit(2);
}
const stop = new AbortController();
process.on('message', (message: { type?: string }) => {
  if (message.type === 'stop') stop.abort(new Error('stopping'));
});
// The conductor died (or was killed): do not outlive it.
process.on('disconnect', () => process.exit(0));

const random = (n: number) => Math.floor(Math.random() * n);
function pick<T>(choices: readonly T[]): T {
  return choices[random(choices.length)]!;
}
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Timeouts in ms; undefined waits until acquired (still ended by an abort or by stop). */
const TIMEOUTS = [0, 0, 1, 5, 20, 50, 100, 250, 1000, undefined] as const;

class OurAbort extends Error {}

async function hold(): Promise<void> {
  const r = Math.random();
  if (r < 0.3) return new Promise((resolve) => setImmediate(resolve));
  if (r < 0.9) return pause(Math.random() * 3);
  return pause(5 + Math.random() * 15);
}

/**
 * The signal of one call: the run's stop, plus an abort of ours with chance `before` already before the
 * call and chance `during` a few ms into its wait. `done()` clears the pending abort after the call.
 */
function randomAbort(before: number, during: number): { signal: AbortSignal; done(): void } {
  const ours = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const r = Math.random();
  if (r < before) ours.abort(new OurAbort('aborted before the call'));
  else if (r < before + during)
    timer = setTimeout(() => ours.abort(new OurAbort('aborted while waiting')), Math.random() * 30);
  return { signal: AbortSignal.any([ours.signal, stop.signal]), done: () => clearTimeout(timer) };
}

/** Log a call that failed; true when it failed because the run is stopping (the task then ends). */
function logFailure(error: unknown, t: number): boolean {
  if (stop.signal.aborted && error === stop.signal.reason) return true;
  const e = error as { code?: string; message?: string };
  if (e.code === 'LOCK_TIMEOUT') log.write({ e: 'timeout', w: id, t });
  else if (error instanceof OurAbort) log.write({ e: 'abort', w: id, t });
  else log.write({ e: 'error', w: id, t, ...(e.code ? { code: e.code } : {}), message: String(e.message) });
  return false;
}

async function task(t: number): Promise<void> {
  let n = 0;
  while (!stop.signal.aborted) {
    const k = random(keys);
    const shared = supportsShared && Math.random() < 0.4;
    const options: LockOptions = { backend, shared, removeOnRelease: Math.random() < 0.1 };
    const timeout = pick(TIMEOUTS);
    if (timeout !== undefined) options.timeout = timeout;
    // Random aborts: sometimes already aborted, sometimes a few ms into the wait.
    const abort = randomAbort(0.03, 0.17);
    options.signal = abort.signal;

    let handle: LockHandle;
    try {
      handle = await lock(path.join(dir, `file-${k}`), options);
    } catch (error) {
      if (logFailure(error, t)) break;
      continue;
    } finally {
      abort.done();
    }
    n++;
    log.write({ e: 'in', w: id, t, n, k, m: shared ? 's' : 'x' });
    // Reading the signal starts the loss watch, which checks the lock file at once (see check.ts, rule 3);
    // a loss found now stays visible on the signal, so the `out` line reports it.
    void handle.signal;
    await hold();
    log.write({ e: 'out', w: id, t, n, ...(handle.signal.aborted ? { lost: 1 as const } : {}) });
    try {
      await handle.release();
    } catch (error) {
      const e = error as { code?: string; message?: string };
      log.write({
        e: 'error',
        w: id,
        t,
        ...(e.code ? { code: e.code } : {}),
        message: `release: ${e.message}`,
      });
    }
  }
}

/**
 * The store variant: increment the counter with `update` (random timeout and abort); every update also
 * records, under the task's key, how many of this task's updates it makes. An acknowledgement goes to the
 * conductor once `update` resolved, and the next update starts only after the ack is on its way.
 */
async function storeTask(t: number, file: string): Promise<void> {
  const store = openStore<Counter>(file, { defaults: { count: 0, applied: {} }, backend });
  const key = `${id}.${t}`;
  let done = 0;
  while (!stop.signal.aborted) {
    const options: UpdateOptions = {};
    const timeout = pick(TIMEOUTS);
    if (timeout !== undefined) options.timeout = timeout;
    const abort = randomAbort(0.02, 0.13);
    options.signal = abort.signal;
    try {
      await store.update((draft) => {
        draft.count += 1;
        draft.applied[key] = done + 1;
      }, options);
    } catch (error) {
      if (logFailure(error, t)) break;
      continue;
    } finally {
      abort.done();
    }
    done++;
    // Wait until the ack is written to the channel: a kill after this point cannot lose it.
    await new Promise<void>((resolve) => process.send?.({ type: 'ack', key, n: done }, () => resolve()));
  }
}

process.send?.({ type: 'ready' });
await Promise.all(
  Array.from({ length: tasks }, (_, t) => (values.store ? storeTask(t, values.store) : task(t))),
);
log.close();
process.exit(0);
