// The torture conductor: starts the workers, SIGKILLs random ones and starts replacements, removes and
// truncates lock files from outside, stops everyone at the end and checks the log (see check.ts).
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { checkLog, type TortureReport } from './check.js';
import { checkStore, type StoreReport } from './check-store.js';
import { RecordLog } from './records.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..', '..');

export interface TortureOptions {
  /** Seconds of chaos (after the first workers are up). */
  duration: number;
  backend: 'kernel' | 'lease';
  /** Worker processes alive at any time. */
  workers: number;
  /** Concurrent lock loops in each worker (they share the in-process queue). */
  tasks: number;
  /** Lock files the workers pick from. */
  keys: number;
  /** Average SIGKILLs per second; each killed worker is replaced at once. */
  killRate: number;
  /** Average outside removals of a lock file per second. */
  deleteRate: number;
  /** Average outside truncations of a lock file per second. */
  truncateRate: number;
  /** Keep the folder (log and lock files) even when the run is clean. */
  keep: boolean;
  /**
   * The store variant: workers increment one counter with `store.update` instead of taking bare locks
   * (see check-store.ts). Lock files are not removed from outside then (`deleteRate` is ignored): a
   * removal may legitimately let two writers in, and the store only learns of it through `handle.signal`.
   */
  store?: boolean;
  /** Called with progress lines (worker starts are not reported). */
  progress?: (line: string) => void;
}

export interface TortureResult {
  /** The lock variant's report, or the store variant's. */
  report: TortureReport | StoreReport;
  /** The folder with the log, when kept (always on a violation). */
  dir: string | undefined;
  seconds: number;
}

interface Worker {
  id: number;
  process: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
  /** Set just before we SIGKILL it or ask it to stop: how it may end without a violation. */
  ending: 'killed' | 'stopping' | undefined;
}

/** Exponentially distributed wait for a Poisson process of `rate` events per second (Infinity for 0). */
function interval(rate: number): number {
  return rate > 0 ? (-Math.log(1 - Math.random()) / rate) * 1000 : Number.POSITIVE_INFINITY;
}

export async function runTorture(options: TortureOptions): Promise<TortureResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `locksmith-torture-${options.backend}-`));
  const logFile = path.join(dir, 'torture.log');
  const log = new RecordLog(logFile);
  // Workers are bundled once into plain JavaScript: a replacement then starts in ~0.1 s of CPU instead of
  // ~0.6 s through tsx, which matters at several kills a second on a small machine. The bundle lives in
  // the project's node_modules so that its imports (koffi, yaml...) resolve.
  const workerScript = path.join(
    ROOT,
    'node_modules',
    '.cache',
    'locksmith-torture',
    `${path.basename(dir)}.mjs`,
  );
  await build({
    entryPoints: [path.join(here, 'worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: workerScript,
    logLevel: 'warning',
  });
  const workers = new Map<number, Worker>();
  const counterFile = path.join(dir, 'counter.json');
  /** The store variant's acknowledgements: the last update number per task. */
  const acks = new Map<string, number>();
  let nextId = 0;

  const spawnWorker = (): Worker => {
    const id = ++nextId;
    const child = fork(
      workerScript,
      [
        `--id=${id}`,
        `--dir=${dir}`,
        `--log=${logFile}`,
        `--keys=${options.keys}`,
        `--tasks=${options.tasks}`,
        `--backend=${options.backend}`,
        ...(options.store ? [`--store=${counterFile}`] : []),
      ],
      { cwd: ROOT, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    log.write({ e: 'start', w: id, pid: child.pid ?? -1 });
    const worker: Worker = {
      id,
      process: child,
      ending: undefined,
      ready: new Promise<void>((resolve) => {
        child.on('message', (message: { type?: string; key?: string; n?: number }) => {
          if (message.type === 'ready') resolve();
          else if (message.type === 'ack' && message.key !== undefined && message.n !== undefined) {
            acks.set(message.key, Math.max(acks.get(message.key) ?? 0, message.n));
          }
        });
        child.on('exit', () => resolve());
      }),
      exited: new Promise<void>((resolve) => {
        child.on('exit', (code, signal) => {
          const expected =
            (worker.ending === 'killed' && signal === 'SIGKILL') ||
            (worker.ending === 'stopping' && code === 0);
          log.write({ e: 'exit', w: id, code, signal, expected });
          workers.delete(id);
          resolve();
        });
      }),
    };
    workers.set(id, worker);
    return worker;
  };

  const kill = (worker: Worker) => {
    worker.ending = 'killed';
    log.write({ e: 'kill', w: worker.id });
    worker.process.kill('SIGKILL');
  };

  const lockfile = (k: number) => path.join(dir, `file-${k}.lock`);
  const outside = (what: 'delete' | 'truncate') => {
    const k = Math.floor(Math.random() * options.keys);
    log.write({ e: what, k, p: 0 });
    // The kernel backend's lock file is a file; the lease backend's is a marker folder holding an owner
    // file. A careless tool removes either (`rm -rf`), or truncates the file(s) it finds.
    const file = lockfile(k);
    if (what === 'delete') {
      // A marker folder may gain an entry while rm -rf empties it (a worker installing its owner file):
      // ENOTEMPTY, as for any careless tool. What was removed is bracketed by the two log lines all the same.
      try {
        fs.rmSync(file, { recursive: true, force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw error;
      }
    } else {
      let targets = [file];
      try {
        if (fs.statSync(file).isDirectory())
          targets = fs.readdirSync(file).map((name) => path.join(file, name));
      } catch {
        targets = [];
      }
      for (const target of targets) {
        try {
          fs.truncateSync(target, 0);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code !== 'ENOENT' && code !== 'EISDIR') throw error;
        }
      }
    }
    log.write({ e: what, k, p: 1 });
  };

  let stopAll: () => void = () => {};
  try {
    const first = Array.from({ length: options.workers }, spawnWorker);
    await Promise.all(first.map((w) => w.ready));
    options.progress?.(`${options.workers} workers up; chaos for ${options.duration} s`);

    const started = performance.now();
    const end = started + options.duration * 1000;
    const due = {
      kill: started + interval(options.killRate),
      delete: started + interval(options.store ? 0 : options.deleteRate),
      truncate: started + interval(options.truncateRate),
    };
    const rates = {
      kill: options.killRate,
      delete: options.store ? 0 : options.deleteRate,
      truncate: options.truncateRate,
    };
    let stopped = false;
    let wake: (() => void) | undefined;
    stopAll = () => {
      stopped = true;
      wake?.();
    };
    for (;;) {
      const [action, at] = (Object.entries(due) as [keyof typeof due, number][]).reduce((a, b) =>
        b[1] < a[1] ? b : a,
      );
      const until = Math.min(at, end) - performance.now();
      // The conductor is not a test: it paces the chaos with timers.
      if (until > 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, until);
        });
      }
      if (stopped || performance.now() >= end) break;
      due[action] = performance.now() + interval(rates[action]);
      if (action === 'kill') {
        const running = [...workers.values()].filter((w) => w.ending === undefined);
        const victim = running[Math.floor(Math.random() * running.length)];
        if (victim) {
          kill(victim);
          spawnWorker();
        }
      } else outside(action);
    }
    const seconds = (performance.now() - started) / 1000;

    // Stop: every worker finishes its current attempt and hold, then exits 0. A worker that hangs is a
    // violation (a lock call that never returned although every call has a timeout, an abort or `stop`).
    const remaining = [...workers.values()];
    await Promise.all(remaining.map((w) => w.ready));
    for (const worker of remaining) {
      if (worker.ending !== undefined) continue;
      worker.ending = 'stopping';
      worker.process.send({ type: 'stop' });
    }
    const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 30_000).unref());
    for (const worker of remaining) {
      if ((await Promise.race([worker.exited.then(() => 'ok' as const), deadline])) === 'late') {
        log.write({ e: 'error', w: worker.id, message: 'did not stop within 30 s of being asked' });
        kill(worker);
        await worker.exited;
      }
    }
    log.close();

    const lines = fs.readFileSync(logFile, 'utf8').split('\n');
    const report = options.store
      ? checkStore({
          text: fs.existsSync(counterFile) ? fs.readFileSync(counterFile, 'utf8') : undefined,
          acks,
          lines,
        })
      : checkLog(lines);
    const keep = options.keep || report.violations > 0;
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    return { report, dir: keep ? dir : undefined, seconds };
  } finally {
    stopAll();
    for (const worker of workers.values()) worker.process.kill('SIGKILL');
    fs.rmSync(workerScript, { force: true });
  }
}
