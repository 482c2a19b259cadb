/**
 * What the registry commands (checkout, checkin, locks, break) share: where the registry is, how a file
 * argument is read, and how an error becomes a message and an exit status.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { Option } from 'commander';
import { REGISTRY_FOLDER } from '../checkout/constants.js';
import type { Checkouts } from '../checkout/types.js';
import { LocksmithError } from '../errors.js';
import { errorMessage, escapeLines } from './escape.js';
import { exitCodeFor } from './exit-codes.js';

/** Where a command writes. `Cli` (context.ts) has this shape; tests pass collectors. */
export interface CommandIO {
  readonly stdout: { write(text: string): void };
  readonly stderr: { write(text: string): void };
}

/** The options every registry command takes. */
export interface RootArgs {
  /** The shared folder; default: see {@link rootOf}. */
  root?: string;
  /** The folder relative file names are read from; default `process.cwd()`. */
  cwd?: string;
}

/** The exit status table of the registry commands, for their `--help`. */
export const CHECKOUT_EXIT_HELP = `
Exit status:
  0   done
  1   refused: the file is checked out by someone else (named on stderr), or is not checked out,
      or the registry stayed locked for 30 s
  64  usage error, or a file name that leads out of the root (../, an absolute path, a symbolic link)
  65  the registry (.locksmith/checkouts.json) is corrupt or was deleted; it is left as it is
  66  the file does not exist
  70  unexpected internal error
  73  the .locksmith folder cannot be created; 74: an I/O error (registry, audit log, a file)
  77  the file cannot be made writable (in a read-only-until-checked-out folder, only its owner may)`;

/** Help text shared by the registry commands. */
export const ROOT_HELP = `
Without --root, the root is the nearest folder from the current one up that has a .locksmith/ folder
(as git finds its repository), else the current folder. The registry lives in <root>/.locksmith/:
checkouts.json, and audit.jsonl, which records every check-out, check-in and break. A relative <file>
is read from the current folder when that is inside the root, else from the root.`;

/** Everything the registry commands' `--help` says after their options. */
export const CHECKOUT_HELP = `${ROOT_HELP}\n${CHECKOUT_EXIT_HELP}`;

/** The `--root` option, the same on every registry command. */
export function rootOption(): Option {
  return new Option(
    '--root <dir>',
    'the shared folder (default: the nearest one up with a registry, else the current folder)',
  );
}

/**
 * The folder `--root` names; without it, the nearest folder from the current one up that has a
 * `.locksmith/` folder (as git finds its repository), else the current folder. So a command run in a
 * subfolder of a shared folder uses the shared registry instead of starting a second one.
 */
export function rootOf(args: RootArgs): string {
  const cwd = path.resolve(args.cwd ?? process.cwd());
  if (args.root !== undefined) return path.resolve(cwd, args.root);
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    // The folder, not checkouts.json: a registry whose file was deleted must be reported, not bypassed.
    if (existsSync(path.join(dir, REGISTRY_FOLDER))) return dir;
    if (path.dirname(dir) === dir) return cwd;
  }
}

/** The registry of {@link rootOf}; its read-only mode is what the registry records. */
export async function openRegistry(args: RootArgs): Promise<Checkouts> {
  // Loaded here, not at start-up: only the check-out commands pay for the registry's code.
  const { openCheckouts } = await import('../checkout/registry.js');
  return openCheckouts(rootOf(args));
}

/**
 * A file argument as the user means it: relative to the current folder when that is inside the root
 * (what the shell completes), else relative to the root (`locksmith checkout a.mcam --root /srv/designs`).
 */
export function fileArgument(registry: Checkouts, file: string, cwd = process.cwd()): string {
  if (path.isAbsolute(file)) return file;
  let here = path.resolve(cwd);
  try {
    here = realpathSync(here); // the root is a real path; compare like with like
  } catch {
    // a current folder that vanished: compare as given
  }
  const inside = path.relative(registry.root, here);
  if (inside.startsWith('..') || path.isAbsolute(inside)) return file;
  // Relative to the root, so that errors speak of `../x`, not of an absolute path.
  return path.relative(registry.root, path.join(here, file)) || '.';
}

/** Print the error on stderr and return its exit status. Unexpected errors (bugs) keep their stack. */
export function fail(io: CommandIO, error: unknown): number {
  // Messages quote what other users wrote (a holder's message, a file name): escaped, like all output.
  if (error instanceof LocksmithError) io.stderr.write(`locksmith: ${errorMessage(error)}\n`);
  else
    io.stderr.write(
      `locksmith: unexpected error: ${escapeLines(String(error instanceof Error ? error.stack : error))}\n`,
    );
  return exitCodeFor(error);
}

/** `2026-11-23 14:03` in local time: what a person reads in a table. */
export function shortTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
