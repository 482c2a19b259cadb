/**
 * The `locksmith` command's entry: `main(argv)`. A plain `run <path>... -- <command> [args...]` (no
 * option: what scripts and git hooks run) goes straight to `runLocked`; every other command line goes to
 * the commander program of program.ts (see there to add a command), loaded only then: commander and the
 * other commands cost about 27 ms of CPU, which a one-shot `run` would otherwise pay each time.
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

/**
 * Run `locksmith` with `argv` (without node and the script) and resolve its exit status.
 * Never throws: usage errors give 64, unexpected errors 70, both with a message on stderr.
 */
export async function main(argv: string[], cli: Cli = processCli()): Promise<number> {
  const plain = plainRun(argv);
  try {
    if (plain) {
      cli.exitCode = await runLocked(cli, plain.paths, plain.command, { conflictExitCode: EXIT.CONFLICT });
      return cli.exitCode;
    }
  } catch (error) {
    return unexpected(cli, error);
  }
  const [{ createProgram }, { CommanderError }] = await Promise.all([
    import('./program.js'),
    import('commander'),
  ]);
  const program = createProgram(cli);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return cli.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error (already printed).
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    return unexpected(cli, error);
  }
}

function unexpected(cli: Cli, error: unknown): number {
  cli.stderr.write(`locksmith: unexpected error: ${escapeLines((error as Error)?.stack ?? String(error))}\n`);
  return EXIT.SOFTWARE;
}
