import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type LockGroup, type LockTarget, lockAll } from '../lock/lock-all.js';
import type { Cli } from './context.js';
import { errorMessage, escapeControl } from './escape.js';
import { EXIT, EXIT_HELP, exitCodeFor } from './exit-codes.js';
import { WaitLine } from './wait-line.js';

/** The signals `run` passes on to its command (the ones a terminal, `kill` or a supervisor sends). */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

interface RunOptions {
  shared?: true;
  nonblock?: true;
  timeout?: number;
  conflictExitCode: number;
  lockfile?: string[];
  quiet?: true;
}

/** Plain decimal seconds: `Number()` alone would also take `0x10`, `1e3`, `0b1` and ` 5 `. */
const SECONDS = /^\d+(\.\d+)?$|^\.\d+$/;

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!SECONDS.test(value) || !Number.isFinite(seconds)) {
    throw new InvalidArgumentError('expected a number of seconds >= 0, such as 10 or 0.5');
  }
  return seconds;
}

function parseStatus(value: string): number {
  const status = Number(value);
  if (!/^\d+$/.test(value.trim()) || status > 255) {
    throw new InvalidArgumentError('expected an exit status from 0 to 255');
  }
  return status;
}

function signalStatus(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 0);
}

/**
 * Commander drops the `--` that separates the paths from the command, so `run` keeps the arguments it
 * was given, to find where the first `--` was.
 */
class RunCommand extends Command {
  given: string[] = [];

  override parseOptions(argv: string[]): { operands: string[]; unknown: string[] } {
    this.given = argv;
    return super.parseOptions(argv);
  }
}

/** Split commander's operands into paths and command, at the first `--` of the arguments. */
function splitAtDashes(operands: string[], given: string[]): { paths: string[]; command: string[] } | string {
  const dashes = given.indexOf('--');
  if (dashes === -1) return 'missing "--" between the paths and the command';
  // Everything after the first "--" is an operand: the command and its arguments.
  const after = given.length - dashes - 1;
  const command = operands.slice(operands.length - after);
  const paths = operands.slice(0, operands.length - after);
  if (command.length === 0) return 'missing the command after "--"';
  const misplaced = paths.find((p) => p.startsWith('-') && p !== '-');
  if (misplaced) return `unknown option ${misplaced} (options go before "--")`;
  return { paths, command };
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

async function run(cli: Cli, targets: LockTarget[], command: string[], options: RunOptions): Promise<number> {
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

/**
 * `locksmith run [options] <path>... -- <command> [args...]`: util-linux flock(1) for several files,
 * beyond Linux, telling who holds what.
 */
export function registerRun(program: Command, cli: Cli): void {
  const command = new RunCommand('run');
  command.copyInheritedSettings(program);
  program.addCommand(
    command
      .summary('run a command while holding locks on files (like flock(1), for several files)')
      .description(
        'Lock every <path> (its lock file is <path>.lock) and every --lockfile, all or nothing, then run ' +
          '<command>; the locks are held until it exits, and released by the OS if locksmith dies. ' +
          'SIGINT, SIGTERM and SIGHUP are passed on to the command. The locks are those of util-linux ' +
          'flock(1): `flock FILE.lock ...` and `locksmith run FILE -- ...` exclude each other. ' +
          'The first "--" ends the options and paths; everything after it is the command.',
      )
      .usage('[options] <path>... -- <command> [args...]')
      .argument('[path-and-command...]')
      .option('-s, --shared', 'take shared (reader) locks instead of exclusive ones')
      .addOption(new Option('-n, --nonblock', 'fail at once if any lock is held').conflicts('timeout'))
      .option('-w, --timeout <seconds>', 'give up after waiting this long for the locks', parseSeconds)
      .option(
        '-E, --conflict-exit-code <status>',
        'exit status when a lock is held (-n) or the timeout passes',
        parseStatus,
        EXIT.CONFLICT,
      )
      .option(
        '--lockfile <file>',
        "lock this exact file (repeatable), e.g. another tool's lock file",
        (value: string, all: string[] | undefined) => [...(all ?? []), value],
      )
      .option('-q, --quiet', 'print nothing while waiting')
      .addHelpText(
        'after',
        `${EXIT_HELP}

Examples:
  locksmith run -n today.md retro.md -- "$EDITOR" today.md retro.md
  locksmith run -w 30 data.json -- ./sync.sh
  locksmith run --lockfile /var/lock/backup.lock -- rsync -a src/ dst/`,
      )
      .action(async (operands: string[], options: RunOptions) => {
        const split = splitAtDashes(operands, command.given);
        if (typeof split === 'string') command.error(`error: ${split}`, { exitCode: EXIT.USAGE });
        const lockfiles = options.lockfile ?? [];
        if (lockfiles.includes('--')) {
          command.error('error: --lockfile needs a file name', { exitCode: EXIT.USAGE });
        }
        const { paths, command: argv } = split as { paths: string[]; command: string[] };
        const targets: LockTarget[] = [...paths, ...lockfiles.map((lockfilePath) => ({ lockfilePath }))];
        if (targets.length === 0) {
          command.error('error: nothing to lock: give at least one <path> or --lockfile', {
            exitCode: EXIT.USAGE,
          });
        }
        cli.exitCode = await run(cli, targets, argv, options);
      }),
  );
}
