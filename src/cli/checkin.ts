import { type CommandIO, fail, fileArgument, openRegistry, type RootArgs } from './checkout-common.js';

export interface CheckinArgs extends RootArgs {
  file: string;
  owner?: string;
}

/**
 * `locksmith checkin <file> [--owner <name>] [--root <dir>] [--read-only]`.
 * Returns the exit status: 0, or 1 when the file is held by someone else (named) or not checked out.
 */
export async function checkinCommand(io: CommandIO, args: CheckinArgs): Promise<number> {
  try {
    const registry = openRegistry(args);
    const result = await registry.checkin(fileArgument(registry, args.file, args.cwd), {
      ...(args.owner === undefined ? {} : { owner: args.owner }),
    });
    io.stdout.write(`Checked in ${result.file} (${result.previous.owner})\n`);
    if (result.modeWarning) io.stderr.write(`locksmith: warning: ${result.modeWarning}\n`);
    return 0;
  } catch (error) {
    return fail(io, error);
  }
}
