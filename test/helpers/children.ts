import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Folder of the fixture scripts that tests run as child processes. */
export const FIXTURES = path.join(here, '..', 'fixtures');

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A child process driven over IPC: every message is an object with a `type`. */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves with the next message of that type (or already received and not yet taken); rejects after `timeout` ms. */
  next<T = Record<string, unknown>>(type: string, timeout?: number): Promise<T>;
  send(message: Record<string, unknown>): void;
  /** Resolves when the child has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Fork a TypeScript fixture (a file of test/fixtures, or an absolute path) with IPC, through tsx.
 * The child is killed with SIGKILL after the current test file, whatever happens.
 */
export function spawnChild(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Child {
  const file = path.isAbsolute(script) ? script : path.join(FIXTURES, script);
  const proc = fork(file, args, {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(proc);
  const inbox: Record<string, unknown>[] = [];
  const waiting: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  proc.on('message', (raw) => {
    const message = raw as Record<string, unknown>;
    const index = waiting.findIndex((w) => w.type === message.type);
    if (index >= 0) waiting.splice(index, 1)[0]?.resolve(message);
    else inbox.push(message);
  });
  const exited = once(proc, 'exit').then(([code, signal]) => {
    live.delete(proc);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  return {
    process: proc,
    pid: proc.pid ?? -1,
    exited,
    send: (message) => proc.send(message),
    kill: (signal = 'SIGKILL') => {
      proc.kill(signal);
    },
    next<T>(type: string, timeout = 20_000): Promise<T> {
      const index = inbox.findIndex((m) => m.type === type);
      if (index >= 0) return Promise.resolve(inbox.splice(index, 1)[0] as T);
      return new Promise<T>((resolve, reject) => {
        const entry = {
          type,
          resolve: (m: Record<string, unknown>) => {
            clearTimeout(timer);
            resolve(m as T);
          },
        };
        const timer = setTimeout(() => {
          const i = waiting.indexOf(entry);
          if (i >= 0) waiting.splice(i, 1);
          reject(new Error(`no "${type}" message from child ${proc.pid} within ${timeout} ms`));
        }, timeout);
        void exited.then(({ code, signal }) => {
          if (!waiting.includes(entry)) return;
          waiting.splice(waiting.indexOf(entry), 1);
          clearTimeout(timer);
          reject(new Error(`child ${proc.pid} exited (${code ?? signal}) before sending "${type}"`));
        });
        waiting.push(entry);
      });
    },
  };
}

/** Kill every child still running, and wait for them, after the current test file. */
export function killChildrenAfter(): void {
  after(async () => {
    const running = [...live];
    for (const child of running) child.kill('SIGKILL');
    await Promise.all(running.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
  });
}

/** Poll `condition` until it is true; rejects after `timeout` ms. For conditions with no event to wait on. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeout = 10_000,
  what = 'condition',
) {
  const deadline = performance.now() + timeout;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`${what} not met within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
