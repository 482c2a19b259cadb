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
    const registry = await openRegistry(args);
    const result = await registry.breakCheckout(fileArgument(registry, args.file, args.cwd), {
      reason: args.reason,
      ...(args.by === undefined ? {} : { by: args.by }),
    });
    const { owner, checkedOutAt, message } = result.previous;
    io.stdout.write(
      `${escapeControl(`Broke ${owner}'s check-out of ${result.file} (since ${shortTime(checkedOutAt)}${message ? `: "${message}"` : ''})`)}; recorded in .locksmith/audit.jsonl\n`,
    );
    if (result.modeWarning) io.stderr.write(`locksmith: warning: ${escapeControl(result.modeWarning)}\n`);
    return 0;
  } catch (error) {
    return fail(io, error);
  }
}

/** `locksmith break <file> --reason <text> [--by <name>] [--root <dir>]`. */
export function registerBreak(program: Command, cli: Cli): void {
  program
    .command('break')
    .summary("end someone else's check-out (recorded in the audit log)")
    .description(
      "End whoever's check-out of <file>, for example when its holder is away. Always recorded in " +
        '.locksmith/audit.jsonl with who broke it, why, and the check-out it ended.',
    )
    .argument('<file>', 'the checked-out file')
    .requiredOption('--reason <text>', 'why (required; written to the audit log)')
    .option('--by <name>', 'who breaks it (default: <os user>@<hostname>)')
    .addOption(rootOption())
    .addHelpText('after', CHECKOUT_HELP)
    .action(async (file: string, options: { reason: string; by?: string; root?: string }) => {
      cli.exitCode = await breakCommand(cli, {
        file,
        reason: options.reason,
        ...(options.by === undefined ? {} : { by: options.by }),
        ...(options.root === undefined ? {} : { root: options.root }),
      });
    });
}
