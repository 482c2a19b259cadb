/**
 * The `locksmith` command's entry: `main(argv)`. A plain `run [options] <path>... -- <command>` (what
 * scripts and git hooks run: paths and run's common options) goes straight to `runPlain` (plain-run.ts);
 * every other command line goes to the commander program of program.ts (see there to add a command), loaded only then: commander and the
 * other commands cost about 27 ms of CPU, which a one-shot `run` would otherwise pay each time.
 */
import { type Cli, processCli } from './context.js';
import { EXIT } from './exit-codes.js';
import { runPlain, unexpected } from './plain-run.js';

/**
 * Run `locksmith` with `argv` (without node and the script) and resolve its exit status.
 * Never throws: usage errors give 64, unexpected errors 70, both with a message on stderr.
 */
export async function main(argv: string[], cli: Cli = processCli()): Promise<number> {
  const plain = runPlain(argv, cli);
  if (plain) return plain;
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
