// Opening a file that another user may have replaced: never blocks, never follows a planted link, and
// hands back a descriptor only for a regular file. Every file locksmith reads or writes in a shared
// folder (store files, the audit log, the check-out registry, Web Locks registry files, temp files) is
// opened here.
import fs, { type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { type FileKind, NotRegularFileError, UnsafeFileError } from './errors.js';

const { O_NONBLOCK = 0, O_NOFOLLOW = 0, O_NOCTTY = 0, O_CREAT = 0, O_EXCL = 0, O_TRUNC = 0 } = fs.constants;

/** Options of {@link openRegular}. */
export interface OpenRegularOptions {
  /** Permission bits of a file that `O_CREAT` creates. Default `0o666` (subject to the umask). */
  mode?: number;
  /** Default `true`: a symbolic link as the last part of the path is refused (`O_NOFOLLOW`), not followed. */
  noFollow?: boolean;
  /** Refuse a file with other names (a hard link): for a file written in place, whose other names would change too. */
  singleLink?: boolean;
  /** Refuse a file that does not belong to this user: for a file locksmith created for itself. */
  ownFile?: boolean;
}

/** What `stats` describe, in the words of the errors. */
export function kindOf(stats: Stats): FileKind {
  if (stats.isFile()) return 'regular file';
  if (stats.isDirectory()) return 'folder';
  if (stats.isFIFO()) return 'FIFO';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return 'character device';
  if (stats.isBlockDevice()) return 'block device';
  if (stats.isSymbolicLink()) return 'symbolic link';
  return 'file of an unknown type';
}

/** The error reading a folder gives, so that callers report a folder as they always have (EISDIR). */
function isDirectoryError(file: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`EISDIR: illegal operation on a directory, open '${file}'`);
  error.code = 'EISDIR';
  error.syscall = 'open';
  error.path = file;
  return error;
}

/**
 * The error to throw for an `open` that failed: a link refused by `O_NOFOLLOW` becomes `FILE_UNSAFE`; a FIFO, socket or device refused for any reason (ENXIO: a FIFO without a
 * writer or a socket; EACCES: a sticky folder's `protected_fifos`) becomes `FILE_NOT_REGULAR`, which says
 * what it is; the rest stays the OS error, for the caller to wrap.
 */
function openError(file: string, error: unknown, noFollow: boolean): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return error;
  const stats = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stats) return error;
  if (stats.isSymbolicLink()) {
    // With O_NOFOLLOW a link is refused, whatever the code says (ELOOP, EMLINK; EACCES in a sticky folder).
    if (!noFollow) return error;
    return new UnsafeFileError(file, 'symlink', 'is a symbolic link, which locksmith does not follow here');
  }
  if (!stats.isFile() && !stats.isDirectory()) return new NotRegularFileError(file, kindOf(stats));
  return error;
}

/** Why a descriptor of `file` with these `stats` must not be used, or undefined when it may. */
function refusal(file: string, stats: Stats, options: OpenRegularOptions): unknown {
  if (stats.isDirectory()) return isDirectoryError(file);
  if (!stats.isFile()) return new NotRegularFileError(file, kindOf(stats));
  if (options.singleLink && stats.nlink > 1) {
    return new UnsafeFileError(
      file,
      'hard link',
      `has ${stats.nlink} names (hard links); locksmith writes it in place, so it refuses a file that is also elsewhere`,
    );
  }
  const uid = process.geteuid?.();
  if (options.ownFile && uid !== undefined && stats.uid !== uid) {
    return new UnsafeFileError(file, 'owner', `belongs to uid ${stats.uid}, not to this user (uid ${uid})`);
  }
  return undefined;
}

function flagsOf(flags: number, options: OpenRegularOptions): number {
  return flags | O_NONBLOCK | O_NOCTTY | (options.noFollow === false ? 0 : O_NOFOLLOW);
}

// O_NONBLOCK is only there so that opening a FIFO or a device cannot wait; a regular file does not need
// it, and with it some kernels' io_uring answer EAGAIN to a read that has to wait for the disk. Node
// cannot fcntl(F_SETFL), so on Linux the very same file is opened again through /proc/self/fd, without
// it. That second open cannot block either: a lease that would make it wait cannot be taken while the
// first descriptor is open. Where /proc is missing, the descriptor keeps O_NONBLOCK (harmless for
// regular files without io_uring, and on the other systems).
const REOPEN = process.platform === 'linux';
const NOT_AGAIN = O_NONBLOCK | O_CREAT | O_EXCL | O_TRUNC | O_NOFOLLOW;

/**
 * Open `file` with `flags` (numeric `fs.constants`), without ever blocking: `O_NONBLOCK` (cleared again
 * once the file is known to be a regular file), `O_NOCTTY`, and `O_NOFOLLOW` unless `noFollow: false`.
 *
 * @throws {NotRegularFileError} `FILE_NOT_REGULAR` for a FIFO, a socket, a device (closed unread).
 * @throws {UnsafeFileError} `FILE_UNSAFE` for a symbolic link (with `noFollow`), a hard link (`singleLink`),
 *   a file of another user (`ownFile`).
 * @throws the OS error otherwise (ENOENT, EACCES...), and an `EISDIR` error for a folder.
 */
export async function openRegular(
  file: string,
  flags: number,
  options: OpenRegularOptions = {},
): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, flagsOf(flags, options), options.mode ?? 0o666);
  } catch (error) {
    throw openError(file, error, options.noFollow !== false);
  }
  try {
    const stats = await handle.stat();
    const refused = refusal(file, stats, options);
    if (refused) throw refused;
    if (!REOPEN || O_NONBLOCK === 0) return handle;
    // /proc/self/fd/N names the open file itself, not a path: it cannot lead to another file.
    const again = await open(`/proc/self/fd/${handle.fd}`, flags & ~NOT_AGAIN).catch(() => undefined);
    if (!again) return handle;
    void handle.close().catch(() => {}); // the second descriptor keeps the file; no need to wait
    return again;
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/** {@link openRegular}, synchronous, for the few callers that must be (it never blocks). Returns a descriptor. */
export function openRegularSync(file: string, flags: number, options: OpenRegularOptions = {}): number {
  let fd: number;
  try {
    fd = fs.openSync(file, flagsOf(flags, options), options.mode ?? 0o666);
  } catch (error) {
    throw openError(file, error, options.noFollow !== false);
  }
  try {
    const stats = fs.fstatSync(fd);
    const refused = refusal(file, stats, options);
    if (refused) throw refused;
    if (!REOPEN || O_NONBLOCK === 0) return fd;
    let again: number;
    try {
      again = fs.openSync(`/proc/self/fd/${fd}`, flags & ~NOT_AGAIN);
    } catch {
      return fd;
    }
    fs.closeSync(fd);
    return again;
  } catch (error) {
    try {
      fs.closeSync(fd);
    } catch {
      // closing a descriptor we opened cannot fail but for EINTR/EIO: nothing more to do
    }
    throw error;
  }
}

/**
 * The whole content of a regular file, opened by {@link openRegular} (read-only, `O_NOFOLLOW` unless
 * `noFollow: false`). Errors as `openRegular`'s; a missing file is the OS's `ENOENT`.
 */
export async function readRegular(file: string, options: OpenRegularOptions = {}): Promise<Buffer> {
  const handle = await openRegular(file, fs.constants.O_RDONLY, options);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
