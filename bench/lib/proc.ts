import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Subject, Task } from '../subjects/subject.js';
import { WORK_DIR } from './paths.js';

/** The bundled Node worker (built by the harness from bench/worker.ts). */
export const WORKER_BUNDLE = path.join(WORK_DIR, 'worker.mjs');

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Thrown when a worker does not say what was expected within the time given. */
export class WorkerTimeout extends Error {}

/** A worker process of one subject, running one task, talking JSON lines. */
export class Worker {
  readonly process: ChildProcess;
  /** Resolves once the worker has exited and its output is all read ('close', not 'exit': a fast program's last line may come after 'exit'). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #inbox: Record<string, unknown>[] = [];
  readonly #waiting: { type: string; resolve: (message: Record<string, unknown>) => void }[] = [];
  #stderr = '';

  constructor(subject: Subject, task: Task, target: string, n: number) {
    const { file, args } =
      subject.kind === 'node'
        ? { file: process.execPath, args: [WORKER_BUNDLE, subject.id, task, target, String(n)] }
        : subject.command(task, target, n);
    this.process = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(this.process);
    this.process.stdin?.on('error', () => {}); // the worker may be gone (killed) when we write
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-2000);
    });
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return; // not ours (a library printing something)
      }
      const index = this.#waiting.findIndex((w) => w.type === message.type);
      if (index >= 0) this.#waiting.splice(index, 1)[0]?.resolve(message);
      else this.#inbox.push(message);
    });
    this.exited = once(this.process, 'close').then(([code, signal]) => {
      live.delete(this.process);
      return { code: code as number | null, signal: signal as NodeJS.Signals | null };
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  /** The next message of that type; rejects if the worker exits first or after `timeout` ms. */
  next<T = Record<string, unknown>>(type: string, timeout: number): Promise<T> {
    const index = this.#inbox.findIndex((m) => m.type === type);
    if (index >= 0) return Promise.resolve(this.#inbox.splice(index, 1)[0] as T);
    return new Promise<T>((resolve, reject) => {
      const entry = {
        type,
        resolve: (message: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(message as T);
        },
      };
      const drop = () => {
        const i = this.#waiting.indexOf(entry);
        if (i < 0) return false;
        this.#waiting.splice(i, 1);
        clearTimeout(timer);
        return true;
      };
      const timer = setTimeout(() => {
        if (drop()) reject(new WorkerTimeout(`no "${type}" from the worker within ${timeout} ms`));
      }, timeout);
      void this.exited.then(({ code, signal }) => {
        if (drop()) {
          const detail = this.#stderr.trim().split('\n').slice(-3).join(' / ');
          reject(
            new Error(`the worker exited (${code ?? signal}) before "${type}"${detail ? `: ${detail}` : ''}`),
          );
        }
      });
      this.#waiting.push(entry);
    });
  }

  send(line: string): void {
    if (this.process.stdin?.writable) this.process.stdin.write(`${line}\n`);
  }

  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }
}

/** Start workers and kill them all when `fn` settles, whatever happens. */
export async function withWorkers<T>(
  fn: (start: (...args: ConstructorParameters<typeof Worker>) => Worker) => Promise<T>,
): Promise<T> {
  const started: Worker[] = [];
  try {
    return await fn((...args) => {
      const worker = new Worker(...args);
      started.push(worker);
      return worker;
    });
  } finally {
    for (const worker of started) worker.kill();
    await Promise.all(started.map((w) => w.exited));
  }
}
