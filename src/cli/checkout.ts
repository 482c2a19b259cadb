import type { Command } from 'commander';
import {
  CHECKOUT_HELP,
  type CommandIO,
  fail,
  fileArgument,
  openRegistry,
  type RootArgs,
  rootOption,
  shortTime,
} from './checkout-common.js';
import type { Cli } from './context.js';
import { escapeControl } from './escape.js';

export interface CheckoutArgs extends RootArgs {
  file: string;
  message?: string;
  owner?: string;
}

/**
 * `locksmith checkout <file> [-m <message>] [--owner <name>] [--root <dir>]`.
 * Returns the exit status: 0, or 1 when someone else holds the file (named on stderr).
 */
export async function checkoutCommand(io: CommandIO, args: CheckoutArgs): Promise<number> {
  try {
    const registry = await openRegistry(args);
    const file = fileArgument(registry, args.file, args.cwd);
    const result = await registry.checkout(file, {
      ...(args.owner === undefined ? {} : { owner: args.owner }),
      ...(args.message === undefined ? {} : { message: args.message }),
    });
    io.stdout.write(
      `${escapeControl(`Checked out ${result.name} as ${result.owner} since ${shortTime(result.checkedOutAt!)}${result.message ? `: "${result.message}"` : ''}`)}\n`,
    );
    return 0;
  } catch (error) {
    return fail(io, error);
  }
}

/** `locksmith checkout <file> [-m <message>] [--owner <name>] [--root <dir>]`. */
export function registerCheckout(program: Command, cli: Cli): void {
  program
    .command('checkout')
    .summary('check out a file of a shared folder: nobody else may until you check it in')
    .description(
      'Check out <file> of a shared folder, with a message. Refused (status 1) when someone else holds ' +
        'it, naming them, since when and why. Checking out again as the holder only changes the message.',
    )
    .argument('<file>', 'the file to check out')
    .option('-m, --message <message>', 'why; shown to anyone who is refused')
    .option('--owner <name>', 'who holds it (default: <os user>@<hostname>)')
    .addOption(rootOption())
    .addHelpText('after', CHECKOUT_HELP)
    .action(async (file: string, options: { message?: string; owner?: string; root?: string }) => {
      cli.exitCode = await checkoutCommand(cli, {
        file,
        ...(options.message === undefined ? {} : { message: options.message }),
        ...(options.owner === undefined ? {} : { owner: options.owner }),
        ...(options.root === undefined ? {} : { root: options.root }),
      });
    });
}
