import {
  type CommandIO,
  fail,
  fileArgument,
  openRegistry,
  type RootArgs,
  shortTime,
} from './checkout-common.js';

export interface CheckoutArgs extends RootArgs {
  file: string;
  message?: string;
  owner?: string;
}

/**
 * `locksmith checkout <file> [-m <message>] [--owner <name>] [--root <dir>] [--read-only]`.
 * Returns the exit status: 0, or 1 when someone else holds the file (named on stderr).
 */
export async function checkoutCommand(io: CommandIO, args: CheckoutArgs): Promise<number> {
  try {
    const registry = openRegistry(args);
    const file = fileArgument(registry, args.file, args.cwd);
    const result = await registry.checkout(file, {
      ...(args.owner === undefined ? {} : { owner: args.owner }),
      ...(args.message === undefined ? {} : { message: args.message }),
    });
    io.stdout.write(
      `Checked out ${result.name} as ${result.owner} since ${shortTime(result.checkedOutAt!)}${result.message ? `: "${result.message}"` : ''}\n`,
    );
    return 0;
  } catch (error) {
    return fail(io, error);
  }
}
