import { Command, InvalidArgumentError, Option } from 'commander';
import type { LockTarget } from '../lock/lock-all.js';
import type { Cli } from './context.js';
import { EXIT, EXIT_HELP } from './exit-codes.js';
import { exitStatusOf, secondsOf } from './run-arguments.js';
import { type RunOptions, runLocked } from './run-locks.js';

function parseSeconds(value: string): number {
  const seconds = secondsOf(value);
  if (seconds === undefined) {
    throw new InvalidArgumentError('expected a number of seconds >= 0, such as 10 or 0.5');
  }
  return seconds;
}

function parseStatus(value: string): number {
  const status = exitStatusOf(value);
  if (status === undefined) throw new InvalidArgumentError('expected an exit status from 0 to 255');
  return status;
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
        cli.exitCode = await runLocked(cli, targets, argv, options);
      }),
  );
}
