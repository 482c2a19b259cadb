import type { Command } from 'commander';
import {
  CHECKOUT_HELP,
  type CommandIO,
  fail,
  fileArgument,
  openRegistry,
  type RootArgs,
  rootOption,
} from './checkout-common.js';
import type { Cli } from './context.js';
import { escapeControl } from './escape.js';

export interface CheckinArgs extends RootArgs {
  file: string;
  owner?: string;
}

/**
 * `locksmith checkin <file> [--owner <name>] [--root <dir>]`.
 * Returns the exit status: 0, or 1 when the file is held by someone else (named) or not checked out.
 */
export async function checkinCommand(io: CommandIO, args: CheckinArgs): Promise<number> {
  try {
    const registry = await openRegistry(args);
    const result = await registry.checkin(fileArgument(registry, args.file, args.cwd), {
      ...(args.owner === undefined ? {} : { owner: args.owner }),
    });
    io.stdout.write(`${escapeControl(`Checked in ${result.file} (${result.previous.owner})`)}\n`);
    if (result.modeWarning) io.stderr.write(`locksmith: warning: ${escapeControl(result.modeWarning)}\n`);
    return 0;
  } catch (error) {
    return fail(io, error);
  }
}

/** `locksmith checkin <file> [--owner <name>] [--root <dir>]`. */
export function registerCheckin(program: Command, cli: Cli): void {
  program
    .command('checkin')
    .summary('check in a file you checked out')
    .description(
      'Check in <file>: only its holder may (anyone else is refused with status 1, the holder named). ' +
        'In a read-only-until-checked-out folder the file becomes read-only again.',
    )
    .argument('<file>', 'the file to check in')
    .option('--owner <name>', 'the holder (default: <os user>@<hostname>)')
    .addOption(rootOption())
    .addHelpText('after', CHECKOUT_HELP)
    .action(async (file: string, options: { owner?: string; root?: string }) => {
      cli.exitCode = await checkinCommand(cli, {
        file,
        ...(options.owner === undefined ? {} : { owner: options.owner }),
        ...(options.root === undefined ? {} : { root: options.root }),
      });
    });
}
