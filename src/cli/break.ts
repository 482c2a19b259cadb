import {
  type CommandIO,
  fail,
  fileArgument,
  openRegistry,
  type RootArgs,
  shortTime,
} from './checkout-common.js';

export interface BreakArgs extends RootArgs {
  file: string;
  reason: string;
  /** The administrator; default `<os user>@<hostname>`. */
  by?: string;
}

/**
 * `locksmith break <file> --reason <text> [--root <dir>]`: end someone's check-out; always recorded in
 * `.locksmith/audit.jsonl` with who broke it and why. Returns the exit status (1: not checked out).
 */
export async function breakCommand(io: CommandIO, args: BreakArgs): Promise<number> {
  try {
    const registry = openRegistry(args);
    const result = await registry.breakCheckout(fileArgument(registry, args.file, args.cwd), {
      reason: args.reason,
      ...(args.by === undefined ? {} : { by: args.by }),
    });
    const { owner, checkedOutAt, message } = result.previous;
    io.stdout.write(
      `Broke ${owner}'s check-out of ${result.file} (since ${shortTime(checkedOutAt)}${message ? `: "${message}"` : ''}); recorded in .locksmith/audit.jsonl\n`,
    );
    if (result.modeWarning) io.stderr.write(`locksmith: warning: ${result.modeWarning}\n`);
    return 0;
  } catch (error) {
    return fail(io, error);
  }
}
