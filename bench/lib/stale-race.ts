// The proper-lockfile stale-takeover race, shared by the bench figure, the torture script and the test:
// `waiters` processes wait on a lock whose holder is then SIGKILLed, and race to take it over once it is
// free (the drop-in: at once, by the holder's flock) or stale (proper-lockfile: after `stale` ms). Each
// hold is logged enter/exit to an O_APPEND log; two holders at once show as overlapping entries.
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export type Impl = 'proper-lockfile' | 'drop-in';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Bundle bench/stale-racer.ts into bench/.work (a plain `node` start is ~10x faster than through tsx;
 * inside the repository so that koffi and proper-lockfile resolve from node_modules).
 */
export async function bundleRacer(): Promise<string> {
  const dir = path.join(here, '..', '.work');
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, `stale-racer-${process.pid}.mjs`);
  await build({
    entryPoints: [path.join(here, '..', 'stale-racer.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    external: ['koffi', 'proper-lockfile'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return outfile;
}

/** A racer process over IPC. */
export class Racer {
  readonly child: ChildProcess;
  readonly #inbox: Record<string, unknown>[] = [];
  readonly #waiting: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  readonly exited: Promise<unknown>;

  constructor(bundle: string, impl: Impl) {
    // cwd: the repository, so that the bundle's require('proper-lockfile') finds the devDependency.
    this.child = fork(bundle, [impl], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      cwd: path.join(here, '..', '..'),
    });
    this.exited = once(this.child, 'exit');
    this.child.on('message', (raw) => {
      const message = raw as Record<string, unknown>;
      const i = this.#waiting.findIndex((w) => w.type === message.type);
      if (i >= 0) this.#waiting.splice(i, 1)[0]?.resolve(message);
      else this.#inbox.push(message);
    });
  }

  send(message: Record<string, unknown>): void {
    this.child.send(message);
  }

  next<T = Record<string, unknown>>(type: string, timeout = 60_000): Promise<T> {
    const i = this.#inbox.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.#inbox.splice(i, 1)[0] as T);
    return new Promise<T>((resolve, reject) => {
      const entry = {
        type,
        resolve: (m: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(m as T);
        },
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(entry), 1);
        reject(new Error(`no "${type}" from racer ${this.child.pid} within ${timeout} ms`));
      }, timeout);
      this.#waiting.push(entry);
      void this.exited.then(() => {
        if (!this.#waiting.includes(entry)) return;
        this.#waiting.splice(this.#waiting.indexOf(entry), 1);
        clearTimeout(timer);
        reject(new Error(`racer ${this.child.pid} exited before "${type}"`));
      });
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}

/** Holds logged and the most holders inside at once, over an enter/exit log. */
export function overlaps(log: string): { holds: number; most: number } {
  let inside = 0;
  let most = 0;
  let holds = 0;
  for (const line of log.split('\n')) {
    if (line.startsWith('enter ')) {
      inside++;
      holds++;
      most = Math.max(most, inside);
    } else if (line.startsWith('exit ')) inside--;
  }
  return { holds, most };
}

export interface RaceOptions {
  bundle: string;
  impl: Impl;
  trials: number;
  waiters: number;
  /** Folder for the target and the log. */
  dir: string;
  stale?: number;
  /** The waiters' retry interval, ms. */
  poll?: number;
  hold?: number;
  /** Called after each trial. */
  progress?: (trial: number, overlapped: number) => void;
}

export interface RaceResult {
  trials: number;
  /** Trials in which two holders were inside at once (or a hold is missing). */
  overlapped: number;
  /** ms from the SIGKILL to the first waiter holding the lock, per trial. */
  recovery: number[];
}

/** Run `trials` rounds with one pool of long-lived waiters and a fresh (SIGKILLed) holder per round. */
export async function staleRace(options: RaceOptions): Promise<RaceResult> {
  const { bundle, impl, waiters, dir } = options;
  const stale = options.stale ?? 2_000;
  const file = path.join(dir, 'target.json');
  const log = path.join(dir, 'holds.log');
  writeFileSync(file, '{"count":0}');
  writeFileSync(log, '');
  const racers = Array.from({ length: waiters }, () => new Racer(bundle, impl));
  // Holders start ahead, a few at a time: a process start (0.1 s idle, seconds on a loaded machine) is
  // most of a trial.
  const spares = Array.from({ length: 3 }, () => new Racer(bundle, impl));
  const result: RaceResult = { trials: 0, overlapped: 0, recovery: [] };
  try {
    await Promise.all(racers.map((r) => r.next('ready')));
    for (let trial = 0; trial < options.trials; trial++) {
      const holder = spares.shift()!;
      spares.push(new Racer(bundle, impl));
      await holder.next('ready');
      holder.send({ type: 'hold', file, stale });
      const locked = await holder.next<{ error?: string }>('locked');
      if (locked.error) throw new Error(`holder: ${locked.error}`);
      const start = readFileSync(log, 'utf8').length;
      for (const r of racers) {
        r.send({
          type: 'race',
          file,
          log,
          stale,
          poll: options.poll ?? 10,
          hold: options.hold ?? 20,
          round: trial,
        });
      }
      // Let every waiter find the lock busy and settle into its retries, then kill the holder.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const killedAt = Date.now();
      holder.kill();
      await holder.exited;
      const raced = await Promise.all(
        racers.map((r) => r.next<{ acquiredAt: number; error?: string }>('raced', stale * 3 + 30_000)),
      );
      const errors = raced.filter((m) => m.error).map((m) => m.error);
      if (errors.length > 0) throw new Error(`racers failed: ${errors.join('; ')}`);
      const { holds, most } = overlaps(readFileSync(log, 'utf8').slice(start));
      if (most > 1 || holds !== waiters) result.overlapped++;
      result.recovery.push(Math.min(...raced.map((m) => m.acquiredAt)) - killedAt);
      result.trials++;
      options.progress?.(trial, result.overlapped);
    }
  } finally {
    for (const r of [...racers, ...spares]) r.kill();
    await Promise.all([...racers, ...spares].map((r) => r.exited));
  }
  return result;
}
