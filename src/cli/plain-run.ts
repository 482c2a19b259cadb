/**
 * A plain `locksmith run [options] <path>... -- <command> [args...]` (what scripts and git hooks run:
 * paths, and options each written on its own, such as `-w 5` or `--lockfile FILE`), without the commander
 * program. `main()` starts here; bin/locksmith.cjs runs it from
 * dist/cli/plain-run.cjs, a CommonJS bundle of this module and what it imports, so that a hook's
 * `locksmith run` starts without Node's ES module loader (see scripts/bundle-cli-cjs.js).
 */
import type { LockTarget } from '../lock/lock-all.js';
import { type Cli, processCli } from './context.js';
import { escapeLines } from './escape.js';
import { EXIT } from './exit-codes.js';
import { exitStatusOf, secondsOf } from './run-arguments.js';
import { type RunOptions, runLocked } from './run-locks.js';

/** A plain `run`'s command line, parsed: what to lock, the command, and the options. */
export interface PlainRun {
  targets: LockTarget[];
  command: string[];
  options: RunOptions;
}

/**
 * `run [options] <path>... -- <command> [args...]` parsed as commander parses it (run.ts), when every
 * option is one of `run`'s, written on its own (`-s`, `--shared`, `-n`, `--nonblock`, `-q`, `--quiet`) or
 * followed by a valid value (`-w`/`--timeout` seconds, `-E`/`--conflict-exit-code` status, `--lockfile`
 * file). Anything else (`--help`, `-sn`, `--timeout=5`, a value starting with "-", an invalid value, -n with
 * -w, a path starting with "-", nothing to lock) is `undefined`: commander parses it, and says what is wrong.
 */
export function plainRun(argv: readonly string[]): PlainRun | undefined {
  if (argv[0] !== 'run') return undefined;
  const dashes = argv.indexOf('--');
  if (dashes < 1 || dashes === argv.length - 1) return undefined;
  const paths: string[] = [];
  const lockfiles: string[] = [];
  const options: RunOptions = { conflictExitCode: EXIT.CONFLICT };
  for (let i = 1; i < dashes; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      paths.push(arg);
      continue;
    }
    if (arg === '-s' || arg === '--shared') options.shared = true;
    else if (arg === '-n' || arg === '--nonblock') options.nonblock = true;
    else if (arg === '-q' || arg === '--quiet') options.quiet = true;
    else {
      // An option with a value: the next argument, before the "--".
      const value = i + 1 < dashes ? argv[++i]! : undefined;
      if (value === undefined || value.startsWith('-')) return undefined;
      if (arg === '-w' || arg === '--timeout') {
        const seconds = secondsOf(value);
        if (seconds === undefined) return undefined;
        options.timeout = seconds;
      } else if (arg === '-E' || arg === '--conflict-exit-code') {
        const status = exitStatusOf(value);
        if (status === undefined) return undefined;
        options.conflictExitCode = status;
      } else if (arg === '--lockfile') lockfiles.push(value);
      else return undefined;
    }
  }
  if (options.nonblock && options.timeout !== undefined) return undefined;
  const targets: LockTarget[] = [...paths, ...lockfiles.map((lockfilePath) => ({ lockfilePath }))];
  if (targets.length === 0) return undefined;
  if (lockfiles.length > 0) options.lockfile = lockfiles;
  return { targets, command: argv.slice(dashes + 1), options };
}

/** An error nothing expected: a message on stderr, and the exit status 70. */
export function unexpected(cli: Cli, error: unknown): number {
  cli.stderr.write(`locksmith: unexpected error: ${escapeLines((error as Error)?.stack ?? String(error))}\n`);
  return EXIT.SOFTWARE;
}

/**
 * Run `argv` if it is a plain `run` (resolving its exit status, never rejecting); `undefined` for any other
 * command line, which needs the commander program.
 */
export function runPlain(argv: string[], cli: Cli = processCli()): Promise<number> | undefined {
  const plain = plainRun(argv);
  if (!plain) return undefined;
  return (async () => {
    try {
      cli.exitCode = await runLocked(cli, plain.targets, plain.command, plain.options);
      return cli.exitCode;
    } catch (error) {
      return unexpected(cli, error);
    }
  })();
}
