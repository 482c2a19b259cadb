/**
 * A plain `locksmith run <path>... -- <command> [args...]` (no option: what scripts and git hooks run),
 * without the commander program. `main()` starts here; bin/locksmith.cjs runs it from
 * dist/cli/plain-run.cjs, a CommonJS bundle of this module and what it imports, so that a hook's
 * `locksmith run` starts without Node's ES module loader (see scripts/bundle-cli-cjs.js).
 */
import { type Cli, processCli } from './context.js';
import { escapeLines } from './escape.js';
import { EXIT } from './exit-codes.js';
import { runLocked } from './run-locks.js';

/**
 * The paths and command of `run <path>... -- <command> [args...]` when nothing else is on the command
 * line (no option, no path starting with "-"): commander would parse it the same way. Else `undefined`.
 */
export function plainRun(argv: readonly string[]): { paths: string[]; command: string[] } | undefined {
  if (argv[0] !== 'run') return undefined;
  const dashes = argv.indexOf('--');
  if (dashes < 2 || dashes === argv.length - 1) return undefined;
  const paths = argv.slice(1, dashes);
  if (paths.some((p) => p.startsWith('-'))) return undefined;
  return { paths, command: argv.slice(dashes + 1) };
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
      cli.exitCode = await runLocked(cli, plain.paths, plain.command, { conflictExitCode: EXIT.CONFLICT });
      return cli.exitCode;
    } catch (error) {
      return unexpected(cli, error);
    }
  })();
}
