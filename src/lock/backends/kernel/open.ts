import fs from 'node:fs';
import path from 'node:path';
import {
  LockDirectoryError,
  LockInvalidArgumentError,
  LockIOError,
  LocksmithError,
} from '../../../errors.js';

/**
 * Opening a kernel lock file in a folder other users may write to, where anything can sit at the path.
 *
 * - No open may block: a FIFO opened read-only waits for a writer (in the kernel, on the main thread),
 *   so every open carries `O_NONBLOCK`. It is left set on the descriptor: on a regular file (the only
 *   kind kept) Linux and macOS ignore it for reads, writes and flock(2), and clearing it would take an
 *   fcntl(2) that Node does not offer.
 * - What was opened must be a regular file (checked with fstat on the descriptor, not the path): a FIFO,
 *   a socket, a device or a folder is a typed error naming the path and what is there. Locking a FIFO
 *   would "succeed" for root and protect nothing.
 * - The last component is not followed through a symlink (as Python's filelock does): a symlink planted
 *   in a shared folder would otherwise make us create, lock and write into its target.
 * Windows has neither flag (0).
 */
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/** A descriptor of a lock file, with the identity of the file it was opened on. */
export interface OpenedLockFile {
  fd: number;
  dev: bigint;
  ino: bigint;
  /** Opened for writing (else only flock'ed: the holder record is skipped). */
  writable: boolean;
  /** This call created the file (O_EXCL). */
  created: boolean;
}

/** What a stat says is at a path, in words, for errors. */
export function kindOf(stat: fs.BigIntStats | fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function notAFile(key: string, what: string): LockInvalidArgumentError {
  return new LockInvalidArgumentError(`Lock file path ${key} is ${what}, not a regular file`);
}

/** fstat the descriptor; close it and throw unless it is a regular file. */
function checkRegular(key: string, fd: number): fs.BigIntStats {
  let stat: fs.BigIntStats;
  try {
    stat = fs.fstatSync(fd, { bigint: true });
  } catch (error) {
    fs.closeSync(fd);
    throw new LockIOError(key, 'stat', error);
  }
  if (!stat.isFile()) {
    fs.closeSync(fd);
    throw notAFile(key, kindOf(stat));
  }
  return stat;
}

/** Open an existing lock file read-only (for `inspect`); undefined when there is none. */
export function openForInspect(key: string): { fd: number; stat: fs.BigIntStats } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(key, fs.constants.O_RDONLY | NOFOLLOW | NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw openError(key, error);
  }
  return { fd, stat: checkRegular(key, fd) };
}

/**
 * Open the lock file for locking, creating it (and its folder) when missing. A file we may not write
 * (read-only mount, another user's file) is opened read-only: it can still be flock'ed.
 */
export function openLockFile(key: string): OpenedLockFile {
  const flags = fs.constants.O_RDWR | fs.constants.O_CREAT | NOFOLLOW | NONBLOCK;
  let fd: number;
  let writable = true;
  let created = false;
  try {
    ({ fd, created } = openOrCreate(key, flags));
  } catch (error) {
    const code = osError(error)?.code;
    if (!(code === 'EACCES' || code === 'EPERM' || code === 'EROFS') || !fs.existsSync(key)) throw error;
    try {
      fd = fs.openSync(key, fs.constants.O_RDONLY | NOFOLLOW | NONBLOCK);
    } catch (readError) {
      throw openError(key, readError);
    }
    writable = false;
  }
  const stat = checkRegular(key, fd);
  return { fd, dev: stat.dev, ino: stat.ino, writable, created };
}

/** Open the lock file, creating it (and its folder) when missing; `created` when this call made it. */
function openOrCreate(key: string, flags: number): { fd: number; created: boolean } {
  try {
    return { fd: openCreatingFolder(key, flags | fs.constants.O_EXCL), created: true };
  } catch (error) {
    if (osError(error)?.code !== 'EEXIST') throw error;
  }
  return { fd: openCreatingFolder(key, flags), created: false };
}

function openCreatingFolder(key: string, flags: number): number {
  try {
    return fs.openSync(key, flags, 0o666);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw openError(key, error);
  }
  const folder = path.dirname(key);
  try {
    fs.mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new LockDirectoryError(folder, mkdirCause(folder, error));
  }
  try {
    return fs.openSync(key, flags, 0o666);
  } catch (error) {
    throw openError(key, error);
  }
}

/**
 * Node's recursive mkdir reports ENOENT whenever it cannot create a missing ancestor (on a read-only mount,
 * for instance): find the real reason by creating the topmost missing folder alone.
 */
function mkdirCause(folder: string, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return error;
  let missing = folder;
  for (let parent = path.dirname(missing); parent !== missing && !fs.existsSync(parent); ) {
    missing = parent;
    parent = path.dirname(missing);
  }
  try {
    fs.mkdirSync(missing);
    return error;
  } catch (real) {
    return real;
  }
}

function symlinkTarget(key: string): string | undefined {
  try {
    return fs.readlinkSync(key);
  } catch {
    return undefined;
  }
}

/** The OS error behind an error of ours (`openCreatingFolder` throws typed ones) or the error itself. */
function osError(error: unknown): NodeJS.ErrnoException | undefined {
  return (error instanceof LocksmithError ? error.cause : error) as NodeJS.ErrnoException | undefined;
}

/** What is at `key` in words, by lstat (the open failed: the descriptor cannot tell). */
function kindAt(key: string): string {
  try {
    return kindOf(fs.lstatSync(key));
  } catch {
    return 'not a regular file';
  }
}

/** A failed open of the lock file as one of our errors. */
export function openError(key: string, error: unknown): Error {
  if (error instanceof LocksmithError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const folder = path.dirname(key);
  switch (code) {
    case 'EISDIR':
      return new LockInvalidArgumentError(`Lock file path ${key} is a folder`, { cause: error });
    case 'ENXIO':
    case 'EOPNOTSUPP':
      // A socket (or a FIFO without a reader, or a device without its driver).
      return new LockInvalidArgumentError(`Lock file path ${key} is ${kindAt(key)}, not a regular file`, {
        cause: error,
      });
    case 'ENAMETOOLONG':
      return new LockInvalidArgumentError(`Lock file path ${key} is too long`, { cause: error });
    case 'ELOOP': {
      const target = symlinkTarget(key);
      return new LockInvalidArgumentError(
        target === undefined
          ? `Lock file path ${key} has too many levels of symbolic links`
          : `Lock file path ${key} is a symbolic link (to ${target}); lock files are not followed through symlinks: pass the target as lockfilePath`,
        { cause: error },
      );
    }
    case 'ENOTDIR':
    case 'ENOENT':
      return new LockDirectoryError(folder, error);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      // The file does not exist (or we would have opened it read-only): the folder refuses us.
      return fs.existsSync(key) ? new LockIOError(key, 'open', error) : new LockDirectoryError(folder, error);
    default:
      return new LockIOError(key, 'open', error);
  }
}
