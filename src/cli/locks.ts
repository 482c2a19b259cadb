import type { Command } from 'commander';
import type { FileStatus } from '../index.js';
import {
  CHECKOUT_HELP,
  type CommandIO,
  fail,
  openRegistry,
  type RootArgs,
  rootOption,
  shortTime,
} from './checkout-common.js';
import { type Cli, paint } from './context.js';
import { escapeControl, terminalJson } from './escape.js';

export interface LocksArgs extends RootArgs {
  /** Only files with this extension (`.mcam`). */
  ext?: string;
  json?: boolean;
  /** Styles the (padded) status cell, e.g. in colour on a terminal. */
  status?: StatusStyle;
}

/** Styles a status cell of the table; the text is already padded. */
export type StatusStyle = (status: FileStatus['status'], text: string) => string;

/** One entry of `locks --json`: a `FileStatus` with ISO 8601 dates. */
export interface LocksEntry {
  name: string;
  exists: boolean;
  sizeBytes: number | null;
  modifiedAt: string | null;
  status: 'available' | 'checked-out';
  owner?: string;
  message?: string;
  checkedOutAt?: string;
}

function toEntry(file: FileStatus): LocksEntry {
  return {
    name: file.name,
    exists: file.exists,
    sizeBytes: file.sizeBytes ?? null,
    modifiedAt: file.modifiedAt?.toISOString() ?? null,
    status: file.status,
    ...(file.owner === undefined ? {} : { owner: file.owner }),
    ...(file.message === undefined ? {} : { message: file.message }),
    ...(file.checkedOutAt === undefined ? {} : { checkedOutAt: file.checkedOutAt.toISOString() }),
  };
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Control characters (a newline, an escape sequence in a message) are shown escaped, on the row. */
const cell = escapeControl;

/** The table: file, size, modified, status, owner, since, message. */
export function formatTable(files: readonly FileStatus[], style?: StatusStyle): string {
  const rows = files.map((f) => [
    cell(f.name),
    f.sizeBytes === undefined ? '-' : size(f.sizeBytes),
    f.modifiedAt ? shortTime(f.modifiedAt) : '(deleted)',
    f.status,
    cell(f.owner ?? ''),
    f.checkedOutAt ? shortTime(f.checkedOutAt) : '',
    cell(f.message ?? ''),
  ]);
  const header = ['FILE', 'SIZE', 'MODIFIED', 'STATUS', 'OWNER', 'SINCE', 'MESSAGE'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all
    .map((row, r) =>
      row
        .map((text, i) => {
          const padded = i === 1 ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
          // Styled after padding, so escape codes do not count as width; the last cell is not padded.
          if (i !== 3 || r === 0 || !style) return padded;
          return style(files[r - 1]!.status, padded);
        })
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** `locksmith locks [--root <dir>] [--ext <.ext>] [--json]`: the files under the root and who holds what. */
export async function locksCommand(io: CommandIO, args: LocksArgs): Promise<number> {
  try {
    const files = await (await openRegistry(args)).list(
      args.ext === undefined ? {} : { extension: args.ext },
    );
    if (args.json) io.stdout.write(`${terminalJson(files.map(toEntry))}\n`);
    else if (files.length === 0) io.stdout.write('No files.\n');
    else io.stdout.write(formatTable(files, args.status));
    return 0;
  } catch (error) {
    return fail(io, error);
  }
}

/** `locksmith locks [--root <dir>] [--ext <.ext>] [--json]`. */
export function registerLocks(program: Command, cli: Cli): void {
  program
    .command('locks')
    .summary('list the files of a shared folder: who has what checked out, since when, why')
    .description(
      'List the files under the root (links not followed, .locksmith/ left out) with size, modification ' +
        'time and status: available, or checked out by whom, since when, with what message. A checked-out ' +
        'file that was deleted is still listed.',
    )
    .addOption(rootOption())
    .option('--ext <.ext>', 'only files with this extension (case-insensitive)')
    .option(
      '--json',
      'print a JSON array, one { name, exists, sizeBytes, modifiedAt, status, owner?, message?, checkedOutAt? } per file',
    )
    .addHelpText('after', CHECKOUT_HELP)
    .action(async (options: { root?: string; ext?: string; json?: true }) => {
      cli.exitCode = await locksCommand(cli, {
        ...(options.root === undefined ? {} : { root: options.root }),
        ...(options.ext === undefined ? {} : { ext: options.ext }),
        ...(options.json ? { json: true } : {}),
        status: (status, text) => paint(cli.stdout, status === 'available' ? 'green' : 'red', text),
      });
    });
}
