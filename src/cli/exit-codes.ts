import { LocksmithError, type LocksmithErrorCode } from '../errors.js';

/**
 * The exit statuses of `locksmith`. They follow util-linux flock(1) where it has one (the conflict status,
 * 64 for usage), <sysexits.h> for the other lock errors, and the shell for a command that cannot run.
 * A command that ran gives its own status, or 128 + the signal number that killed it.
 */
export const EXIT = {
  OK: 0,
  /** A lock is held by someone else (`-n`) or the `-w` timeout passed; `-E` changes it. */
  CONFLICT: 1,
  /** Bad command line, or a path that cannot be locked (a folder, a NUL byte). EX_USAGE. */
  USAGE: 64,
  /** The lock backend cannot be used here (no flock on this filesystem...). EX_UNAVAILABLE. */
  UNSUPPORTED: 69,
  /** Bad data: a corrupt or deleted check-out registry, an invalid JSON/YAML store file. EX_DATAERR. */
  DATA: 65,
  /** An input file does not exist (a file to check out, a store file to read). EX_NOINPUT. */
  NO_INPUT: 66,
  /** An unexpected error (a bug): the message says what. EX_SOFTWARE. */
  SOFTWARE: 70,
  /** The lock file's folder cannot be created or accessed. EX_CANTCREAT. */
  DIRECTORY: 73,
  /** The OS refused an operation on the lock file itself. EX_IOERR. */
  IO: 74,
  /** A held lock was lost (its file removed or replaced): try again. EX_TEMPFAIL. */
  TEMP_FAIL: 75,
  /** A file's mode cannot be changed (read-only-until-checked-out folders). EX_NOPERM. */
  NO_PERM: 77,
  /** The command was found but could not be executed (permissions...). */
  CANNOT_EXECUTE: 126,
  /** The command was not found. */
  NOT_FOUND: 127,
} as const;

/**
 * Exit status by error code, the same for every command. Typed by the union of all codes, so a new code
 * cannot compile without its status (test/cli/exit-codes.test.ts checks it at run time too).
 */
const BY_CODE: Record<LocksmithErrorCode, number> = {
  LOCK_TIMEOUT: EXIT.CONFLICT,
  LOCK_INVALID_ARGUMENT: EXIT.USAGE,
  LOCK_UNSUPPORTED: EXIT.UNSUPPORTED,
  LOCK_DIRECTORY: EXIT.DIRECTORY,
  LOCK_IO: EXIT.IO,
  LOCK_COMPROMISED: EXIT.TEMP_FAIL,
  STORE_PARSE: EXIT.DATA,
  STORE_SCHEMA: EXIT.DATA,
  STORE_SERIALIZE: EXIT.DATA,
  STORE_TOO_DEEP: EXIT.DATA,
  STORE_NOT_FOUND: EXIT.NO_INPUT,
  STORE_IO: EXIT.IO,
  STORE_INVALID_ARGUMENT: EXIT.USAGE,
  ATOMIC_WRITE_IO: EXIT.IO,
  ATOMIC_WRITE_INVALID_ARGUMENT: EXIT.USAGE,
  // The check-out registry (checkout, checkin, locks, break): a refusal that names the holder is a conflict.
  CHECKOUT_CONFLICT: EXIT.CONFLICT,
  CHECKOUT_NOT_HOLDER: EXIT.CONFLICT,
  CHECKOUT_NOT_CHECKED_OUT: EXIT.CONFLICT,
  CHECKOUT_INVALID_ARGUMENT: EXIT.USAGE,
  CHECKOUT_PATH_ESCAPE: EXIT.USAGE,
  CHECKOUT_REGISTRY_CORRUPT: EXIT.DATA,
  CHECKOUT_REGISTRY_MISSING: EXIT.DATA,
  CHECKOUT_FILE_NOT_FOUND: EXIT.NO_INPUT,
  CHECKOUT_AUDIT: EXIT.IO,
  CHECKOUT_IO: EXIT.IO,
  CHECKOUT_MODE: EXIT.NO_PERM,
  // A FIFO, socket or device where a file should be; a link or hard link planted by another user.
  FILE_NOT_REGULAR: EXIT.IO,
  FILE_UNSAFE: EXIT.NO_PERM,
  WEB_LOCKS_REGISTRY: EXIT.IO,
  // A server backend that cannot be used: unreachable, refusing its statements, or behind a pooler.
  POSTGRES_CONNECTION: EXIT.UNSUPPORTED,
  POSTGRES_QUERY: EXIT.UNSUPPORTED,
  POSTGRES_POOLER: EXIT.UNSUPPORTED,
};

/** The exit status for an error; `conflict` replaces the status of a busy lock (`-E`). */
export function exitCodeFor(error: unknown, conflict: number = EXIT.CONFLICT): number {
  if (!(error instanceof LocksmithError)) return EXIT.SOFTWARE;
  if (error.code === 'LOCK_TIMEOUT') return conflict;
  return BY_CODE[error.code] ?? EXIT.SOFTWARE;
}

/** The exit status table, as `--help` shows it. */
export const EXIT_HELP = `
Exit status:
  <status>  the command's own exit status, or 128 + N if signal N killed it
  1         a lock is held (-n) or the -w timeout passed (change it with -E)
  64        usage error: bad option or argument, missing "--", a path that is a folder
  69        the lock backend is unsupported here (e.g. no flock on this filesystem)
  70        unexpected internal error
  73        the lock file's folder cannot be created or accessed
  74        the lock file cannot be opened or locked (I/O or permission error)
  75        a held lock was lost (its file removed or replaced): try again
  126       the command was found but cannot be executed
  127       the command was not found
  128 + N   locksmith got signal N (INT, TERM, HUP) while waiting; the command never started`;
