import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import { type LockGroup, type LockTarget, lockAll } from '../lock/lock-all.js';
import type { Cli } from './context.js';
import { errorMessage, escapeControl } from './escape.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { WaitLine } from './wait-line.js';

// What `locksmith run` does once its command line is parsed: lock, run the command, pass signals on,
// release. Apart from run.ts (which declares the command to commander) so that main.ts can run a plain
// `run <path>... -- <command>` without loading the parser.

/** The signals `run` passes on to its command (the ones a terminal, `kill` or a supervisor sends). */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface RunOptions {
  shared?: true;
  nonblock?: true;
  timeout?: number;
  conflictExitCode: number;
  lockfile?: string[];
  quiet?: true;
}

function signalStatus(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 0);
}

/**
 * The signals of this process while `run` works: before the command starts, one aborts the wait for the
 * locks; once it runs, each is passed on to it, and `run` waits for it to exit, holding the locks.
 */
class Signals {
  readonly #controller = new AbortController();
  /** The first signal received before the command started. */
  received: NodeJS.Signals | undefined;
  #child: ChildProcess | undefined;

  readonly #handler = (signal: NodeJS.Signals): void => {
    if (this.#child) {
      this.#child.kill(signal);
      return;
    }
    this.received ??= signal;
    this.#controller.abort(new Error(`locksmith got ${signal}`));
  };

  constructor() {
    for (const signal of FORWARDED) process.on(signal, this.#handler);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  forwardTo(child: ChildProcess): void {
    this.#child = child;
  }

  close(): void {
    for (const signal of FORWARDED) process.off(signal, this.#handler);
  }
}

/** Run the command, wait for it, and give its exit status (128 + N when signal N killed it). */
async function runCommand(cli: Cli, [file, ...args]: string[], signals: Signals): Promise<number> {
  const child = spawn(file!, args, { stdio: 'inherit' });
  // From now on a signal goes to the command (its pid exists as soon as spawn returns), not to the wait.
  signals.forwardTo(child);
  const started = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (started) {
    const notFound = started.code === 'ENOENT';
    const reason = notFound ? 'command not found' : (started.code ?? started.message);
    cli.stderr.write(`locksmith: cannot run ${escapeControl(`${file}: ${reason}`)}\n`);
    return notFound ? EXIT.NOT_FOUND : EXIT.CANNOT_EXECUTE;
  }
  // A signal forwarded just as the command exits can fail; that is not the command's failure.
  child.on('error', () => {});
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('exit', (c, s) => resolve([c, s]));
  });
  if (code !== null) return code;
  return signal ? signalStatus(signal) : EXIT.SOFTWARE;
}

export async function runLocked(
  cli: Cli,
  targets: LockTarget[],
  command: string[],
  options: RunOptions,
): Promise<number> {
  const waitLine = new WaitLine(cli.stderr, options.quiet === true);
  const signals = new Signals();
  try {
    let group: LockGroup;
    try {
      group = await lockAll(targets, {
        shared: options.shared === true,
        signal: signals.signal,
        onWait: waitLine.onWait,
        ...(options.nonblock ? { timeout: 0 } : {}),
        ...(options.timeout === undefined ? {} : { timeout: options.timeout * 1000 }),
      });
    } catch (error) {
      waitLine.done();
      if (signals.received) return signalStatus(signals.received);
      cli.stderr.write(`locksmith: ${errorMessage(error)}\n`);
      return exitCodeFor(error, options.conflictExitCode);
    }
    waitLine.done();
    const onLost = () => {
      const reason = group.signal.reason as Error;
      cli.stderr.write(
        `locksmith: warning: ${errorMessage(reason)}; the command goes on without that lock\n`,
      );
    };
    group.signal.addEventListener('abort', onLost, { once: true });
    try {
      if (signals.received) return signalStatus(signals.received);
      return await runCommand(cli, command, signals);
    } finally {
      group.signal.removeEventListener('abort', onLost);
      try {
        await group.release();
      } catch (error) {
        // The command's status matters more; the kernel drops the locks when this process exits anyway.
        cli.stderr.write(`locksmith: warning: releasing the locks failed: ${errorMessage(error)}\n`);
      }
    }
  } finally {
    signals.close();
  }
}
