import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { type Cli, type Output, wantsColor } from '../../src/cli/context.js';
import { adopt, FIXTURES } from './children.js';

/**
 * The command line that runs `locksmith` from src/ through tsx (one process: `--import` loads tsx in it,
 * so its pid is the CLI's). tsx is resolved to an absolute URL, so it loads from any working folder.
 */
export const LOCKSMITH: readonly string[] = [
  process.execPath,
  '--import',
  import.meta.resolve('tsx'),
  path.join(FIXTURES, 'locksmith-cli.ts'),
];

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running process whose output is captured. */
export interface Running {
  readonly process: ChildProcess;
  readonly pid: number;
  /** All the output so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the output so far once it matches `pattern`; rejects on exit or after `timeout` ms. */
  output(pattern: RegExp | string, stream?: 'stdout' | 'stderr', timeout?: number): Promise<string>;
  /** Write to its standard input. */
  write(text: string): void;
  /** Resolves when it has exited; after `timeout` ms it is killed and this rejects. */
  readonly exited: Promise<Result>;
  kill(signal?: NodeJS.Signals): void;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** ms after which the process is killed and `exited` rejects. Default 30 000. */
  timeout?: number;
}

/**
 * Start any command with piped stdin/stdout/stderr, killed (SIGKILL) after the current test file
 * whatever happens.
 */
export function start(argv: readonly string[], options: StartOptions = {}): Running {
  const [file, ...args] = argv;
  const proc = adopt(
    spawn(file!, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const out = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk;
    notify();
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    out.stderr += chunk;
    notify();
  });
  proc.stdin!.on('error', () => {}); // the process may exit before reading what a test wrote
  const timeout = options.timeout ?? 30_000;
  const command = argv.join(' ');
  let ended = false;
  const exited = new Promise<Result>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(
        new Error(
          `${command} did not exit within ${timeout} ms\nstdout: ${out.stdout}\nstderr: ${out.stderr}`,
        ),
      );
    }, timeout);
    // 'close' rather than 'exit': all the output has been read by then.
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      ended = true;
      notify();
      resolve({ code, signal, ...out });
    });
    proc.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  exited.catch(() => {}); // a test that never awaits it must not crash the runner
  return {
    process: proc,
    pid: proc.pid ?? -1,
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
    output(pattern, stream = 'stdout', wait = 20_000) {
      const matches = () =>
        typeof pattern === 'string' ? out[stream].includes(pattern) : pattern.test(out[stream]);
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          if (matches()) {
            done();
            resolve(out[stream]);
          } else if (ended) {
            done();
            reject(
              new Error(
                `${command} exited without printing ${pattern} on ${stream}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `${command} printed no ${pattern} on ${stream} within ${wait} ms\nstdout: ${out.stdout}\nstderr: ${out.stderr}`,
            ),
          );
        }, wait);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    write(text) {
      proc.stdin!.write(text);
    },
    exited,
    kill(signal = 'SIGKILL') {
      proc.kill(signal);
    },
  };
}

/** Start `locksmith ARGS...` (from src/, through tsx). */
export function startCli(args: readonly string[], options?: StartOptions): Running {
  return start([...LOCKSMITH, ...args], options);
}

/** Run `locksmith ARGS...` to its end and give its status and output; fails after `timeout` ms. */
export function runCli(args: readonly string[], options?: StartOptions): Promise<Result> {
  return startCli(args, options).exited;
}

/** Why `command --version` cannot run here, for a test's `skip`; false when it can. */
export function missing(command: string): Promise<string | false> {
  return start([command, '--version'])
    .exited.then((r) => (r.code === 0 ? false : `${command} is not installed`))
    .catch(() => `${command} is not installed`);
}

const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/**
 * `locksmith ARGS` on a pseudo-terminal, through util-linux script(1) (skip with `missing('script')`): what the terminal shows comes out
 * on stdout, and what is written to stdin is typed on the terminal (`\x03` is a Ctrl-C).
 */
export function onTerminal(args: readonly string[], env: NodeJS.ProcessEnv = {}): Running {
  // A pseudo-terminal starts with no size: give it a wide one, so that lines are not cut.
  const command = `stty cols 500 rows 50; exec ${[...LOCKSMITH, ...args].map(quote).join(' ')}`;
  return start(['script', '--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    env: { NO_COLOR: undefined, TERM: 'xterm', ...env },
  });
}

/** A `Cli` for running `main()` inside the test process, keeping what it writes. */
export interface CapturedCli extends Cli {
  readonly out: string;
  readonly err: string;
}

/** A `Cli` whose outputs are strings; `tty` makes them pretend to be a terminal (for colours). */
export function captureCli(options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}): CapturedCli {
  const env = options.env ?? {};
  const tty = options.tty ?? false;
  const text = { out: '', err: '' };
  const output = (key: 'out' | 'err'): Output => ({
    write: (chunk) => {
      text[key] += chunk;
    },
    isTTY: tty,
    colors: wantsColor(tty, env),
    columns: tty ? 80 : undefined,
  });
  return {
    stdout: output('out'),
    stderr: output('err'),
    env,
    exitCode: 0,
    get out() {
      return text.out;
    },
    get err() {
      return text.err;
    },
  };
}
