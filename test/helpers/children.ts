import { type ChildProcess, fork, spawn } from 'node:child_process';
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

/** A program that is not a Node fixture (util-linux `flock`, Python), driven through its stdin and stdout lines. */
export interface Command {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves with the next stdout line (not yet taken) that matches; rejects after `timeout` ms or at exit. */
  line(match: string | RegExp, timeout?: number): Promise<string>;
  /** Everything the program wrote to stderr so far (for assertion messages). */
  stderr(): string;
  /** Close its stdin (the programs of the interop tests release their lock and exit on end of input). */
  end(): void;
  /** Resolves with the exit code (or signal) when the program has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Run a program with piped stdio; like `spawnChild`, it is killed with SIGKILL after the current test file. */
export function spawnCommand(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Command {
  const proc = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(proc);
  const lines: string[] = [];
  const waiting: { match: string | RegExp; resolve: (line: string) => void }[] = [];
  const matches = (line: string, match: string | RegExp) =>
    typeof match === 'string' ? line === match : match.test(line);
  let partial = '';
  let errors = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      const index = waiting.findIndex((w) => matches(line, w.match));
      if (index >= 0) waiting.splice(index, 1)[0]?.resolve(line);
      else lines.push(line);
    }
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  proc.stdin?.on('error', () => {}); // EPIPE when the program exits first: its exit code tells the story
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('close', (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    });
  });
  return {
    process: proc,
    pid: proc.pid ?? -1,
    exited,
    stderr: () => errors,
    end: () => {
      proc.stdin?.end();
    },
    kill: (signal = 'SIGKILL') => {
      proc.kill(signal);
    },
    line(match: string | RegExp, timeout = 20_000): Promise<string> {
      const index = lines.findIndex((line) => matches(line, match));
      if (index >= 0) return Promise.resolve(lines.splice(index, 1)[0]!);
      return new Promise<string>((resolve, reject) => {
        const entry = {
          match,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          const i = waiting.indexOf(entry);
          if (i >= 0) waiting.splice(i, 1);
          reject(
            new Error(`no line ${String(match)} from ${command} within ${timeout} ms; stderr: ${errors}`),
          );
        }, timeout);
        void exited.then(({ code, signal }) => {
          const i = waiting.indexOf(entry);
          if (i < 0) return;
          waiting.splice(i, 1);
          clearTimeout(timer);
          reject(
            new Error(
              `${command} exited (${code ?? signal}) before printing ${String(match)}; stderr: ${errors}`,
            ),
          );
        });
        waiting.push(entry);
      });
    },
  };
}

/**
 * Track a child process started some other way (e.g. `spawn` with captured output), so that it too is
 * killed with SIGKILL after the current test file.
 */
export function adopt(proc: ChildProcess): ChildProcess {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  return proc;
}

/** Kill every child still running, and wait for them, after the current test file. */
export function killChildrenAfter(): void {
  after(async () => {
    const running = [...live];
    for (const child of running) child.kill('SIGKILL');
    await Promise.all(running.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
  });
}

/**
 * util-linux flock holding `file` (it records nothing in it) until its stdin is closed with `end()`;
 * `mode` passes `-x` or `-s` (flock's default is exclusive).
 */
export async function holdWithFlock(file: string, mode?: 'exclusive' | 'shared'): Promise<Command> {
  const flag = mode === undefined ? [] : [mode === 'shared' ? '-s' : '-x'];
  const holder = spawnCommand('flock', [...flag, file, 'sh', '-c', 'echo held; exec cat >/dev/null']);
  await holder.line('held');
  return holder;
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
