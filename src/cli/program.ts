/**
 * The `locksmith` command: builds the program and registers the commands. `src/cli/` is the only part of
 * the package that knows about terminals; everything below it returns values and throws typed errors.
 *
 * ## Adding a command
 * One command, one file: `src/cli/<name>.ts` exports `register<Name>(program: Command, cli: Cli)`, which
 * calls `program.command('<name>')`, declares its arguments and options, and in its action:
 * - writes only through `cli.stdout` / `cli.stderr` (colour with `paint`, which honours terminals and NO_COLOR);
 * - reports a bad command line with `command.error('error: ...', { exitCode: EXIT.USAGE })`;
 * - sets `cli.exitCode`, mapping library errors with `exitCodeFor` (its table in `exit-codes.ts` has a
 *   status for every error code, so every command gives the same error the same status).
 * Then add the function to `COMMANDS` below; the order there is the order in `--help`.
 * `run.ts` and `status.ts` are the models; `config` (the store) and `checkout`, `checkin`, `locks`,
 * `break` (the registry) were added this way.
 *
 * Parsing and help come from commander, the most used Node CLI parser (subcommands, help, typed errors,
 * `exitOverride` so that `main()` returns a status instead of exiting). Version 14, as 15 needs Node 22.
 */
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { registerBreak } from './break.js';
import { registerCheckin } from './checkin.js';
import { registerCheckout } from './checkout.js';
import { registerConfig } from './config.js';
import type { Cli } from './context.js';
import { registerLocks } from './locks.js';
import { registerRun } from './run.js';
import { registerStatus } from './status.js';

/** What a command file exports: a function that adds its command to the program. */
export type RegisterCommand = (program: Command, cli: Cli) => void;

/** Every command, in the order `--help` lists them. */
const COMMANDS: RegisterCommand[] = [
  registerRun,
  registerStatus,
  registerConfig,
  registerCheckout,
  registerCheckin,
  registerLocks,
  registerBreak,
];

function version(): string {
  // The same relative path from src/cli/ (tests, through tsx) and from dist/cli/ (the installed bin).
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/** The program, with every command registered, writing to `cli`. */
export function createProgram(cli: Cli): Command {
  const program = new Command('locksmith')
    .description('Cross-process file locks from the shell: run commands under locks, see who holds what.')
    .version(version(), '-V, --version')
    // Settings that commands created with program.command() inherit:
    .exitOverride() // throw instead of process.exit(), so main() returns the status
    .enablePositionalOptions() // `run` must see its own arguments, "--" included, untouched
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ subcommandTerm: (command) => `${command.name()} ${command.usage()}` })
    .configureOutput({
      writeOut: (text) => cli.stdout.write(text),
      writeErr: (text) => cli.stderr.write(text),
      getOutHasColors: () => cli.stdout.colors,
      getErrHasColors: () => cli.stderr.colors,
    });
  for (const register of COMMANDS) register(program, cli);
  program.addHelpText(
    'after',
    `
Exit statuses are listed in "locksmith run --help". Colours only on a terminal, and never with NO_COLOR set.
LOCKSMITH_BACKEND=kernel forces the lock backend (the default, "auto", picks it).`,
  );
  return program;
}
