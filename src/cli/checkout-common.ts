/**
 * What the registry commands (checkout, checkin, locks, break) share: where the registry is, how a file
 * argument is read, and how an error becomes a message and an exit status.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { type Checkouts, LocksmithError, openCheckouts } from '../index.js';

/** Where a command writes. `Cli` (context.ts) has this shape; tests pass collectors. */
export interface CommandIO {
  readonly stdout: { write(text: string): void };
  readonly stderr: { write(text: string): void };
}

/** The options every registry command takes. */
export interface RootArgs {
  /** The shared folder; default the current folder. */
  root?: string;
  /** The folder relative file names are read from; default `process.cwd()`. */
  cwd?: string;
}

/** Exit statuses: 1 for a refusal naming the holder (as flock(1) for a busy lock), else <sysexits.h>. */
export const CHECKOUT_EXIT: Record<string, number> = {
  CHECKOUT_CONFLICT: 1,
  CHECKOUT_NOT_HOLDER: 1,
  CHECKOUT_NOT_CHECKED_OUT: 1,
  LOCK_TIMEOUT: 1,
  CHECKOUT_INVALID_ARGUMENT: 64,
  CHECKOUT_PATH_ESCAPE: 64,
  LOCK_INVALID_ARGUMENT: 64,
  CHECKOUT_REGISTRY_CORRUPT: 65,
  CHECKOUT_REGISTRY_MISSING: 65,
  CHECKOUT_FILE_NOT_FOUND: 66,
  LOCK_UNSUPPORTED: 69,
  LOCK_DIRECTORY: 73,
  CHECKOUT_AUDIT: 74,
  CHECKOUT_IO: 74,
  ATOMIC_WRITE_FAILED: 74,
  LOCK_IO: 74,
  STORE_IO: 74,
  CHECKOUT_MODE: 77,
};

/** The exit status table, for `--help`. */
export const CHECKOUT_EXIT_HELP = `
Exit status:
  0   done
  1   refused: the file is checked out by someone else (named on stderr), or is not checked out
  64  usage error, or a file name that leads out of the root
  65  the registry (.locksmith/checkouts.json) is corrupt or was deleted; it is left as it is
  66  the file does not exist
  73  the .locksmith folder cannot be created; 74: an I/O error
  77  the file cannot be made writable (in a read-only-until-checked-out folder, only its owner may)`;

/** The registry of `--root` (default: the current folder); its read-only mode is what the registry records. */
export function openRegistry(args: RootArgs): Checkouts {
  return openCheckouts(path.resolve(args.cwd ?? process.cwd(), args.root ?? '.'));
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
  if (error instanceof LocksmithError) {
    io.stderr.write(`locksmith: ${error.message}\n`);
    return CHECKOUT_EXIT[error.code] ?? 70;
  }
  io.stderr.write(`locksmith: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`);
  return 70;
}

/** `2026-11-23 14:03` in local time: what a person reads in a table. */
export function shortTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
