import { createHash, randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { monotonicMs } from '../clock.js';
import { ownHostname, processGone } from '../host.js';
import {
  AtomicWriteError,
  AtomicWriteInvalidArgumentError,
  NotRegularFileError,
  UnsafeFileError,
} from './errors.js';
import { kindOf, openRegular } from './open-regular.js';
import { resolveTrustedLinks } from './trusted-links.js';

/** Options of `writeFileAtomic`. Every one is optional. */
export interface WriteFileAtomicOptions {
  /**
   * Default `true`: fsync the file before the rename and its folder after it, so that the new content
   * survives a power cut. `false` skips both fsyncs: still atomic for every reader and after a crash of
   * the process, but a power cut may leave the old content (never a torn mix).
   */
  durable?: boolean;
  /** Permission bits of a new file (subject to the umask). Default `0o666`. An existing file keeps its own. */
  mode?: number;
  /** Encoding of string data. Default `'utf8'`. */
  encoding?: BufferEncoding;
  /** Aborting it stops the write between steps: the temp file is removed, the target untouched. */
  signal?: AbortSignal;
  /**
   * Default `false`: a symbolic link on the way to the target is followed only when this user made it,
   * or when the folder holding it is not writable by others (group- or world-writable, sticky, or another
   * user's); any other is refused with `FILE_UNSAFE`, so that a link planted in a shared folder cannot
   * make root replace a file of the planter's choosing. `true` follows every link, as before.
   */
  followSymlinks?: boolean;
}

/** A temp file written and synced, waiting to be renamed over its target (or thrown away). */
export interface PreparedWrite {
  /** The absolute path that will be replaced (symlinks resolved). */
  readonly target: string;
  /** Rename the temp file over the target, then fsync the folder (when durable). */
  commit(): Promise<void>;
  /** Remove the temp file; the target stays as it was. Safe to call after a failed commit. */
  discard(): Promise<void>;
}

/** Windows refuses a rename while another process has the target open (antivirus, indexer); that passes. */
const WINDOWS_RETRY_CODES = new Set(['EPERM', 'EACCES', 'EBUSY']);
const RENAME_RETRY_BUDGET_MS = 2_000;

/**
 * Rename `from` over `to`, retrying the error codes in `retryCodes` with a capped backoff for at most
 * `budgetMs`. Other errors, or the last one once the budget is spent, are thrown as they are.
 */
export async function renameWithRetry(
  from: string,
  to: string,
  retryCodes: ReadonlySet<string>,
  budgetMs = RENAME_RETRY_BUDGET_MS,
  doRename: (from: string, to: string) => Promise<void> = rename,
): Promise<void> {
  const deadline = monotonicMs() + budgetMs;
  let wait = 5;
  for (;;) {
    try {
      await doRename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (!retryCodes.has(code) || monotonicMs() + wait > deadline) throw error;
      await delay(wait);
      wait = Math.min(wait * 2, 100);
    }
  }
}

// Temp files are named `.<base>.<host>-<pid>-<random>.tmp`, next to their target: the host and pid say
// whether the writer may still be alive, so a later write can remove the temps of writers that crashed
// without ever touching the temp file of a write in progress.
const HOST_TAG = createHash('sha256').update(ownHostname()).digest('hex').slice(0, 6);
const TEMP_PATTERN = /^\.(.+)\.([0-9a-f]{6})-(\d+)-[0-9a-f]{8}\.tmp$/;
const NAME_MAX = 255;

/** The `<base>` part of temp names: the file name, or a hash of it when a temp name would be too long. */
function tempBase(base: string): string {
  // 1 dot + base + '.' + 6 + '-' + pid (<= 10) + '-' + 8 + '.tmp'
  if (Buffer.byteLength(base) + 31 <= NAME_MAX) return base;
  return createHash('sha256').update(base).digest('hex').slice(0, 32);
}

function tempName(base: string): string {
  return `.${tempBase(base)}.${HOST_TAG}-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
}

/**
 * Remove the temp files of `base` in `dir` left by writers of this host whose process is gone.
 * Best effort: a temp that cannot be removed now will be tried again by a later write.
 */
export async function removeStaleTemps(dir: string, base: string): Promise<string[]> {
  const wanted = tempBase(base);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_PATTERN.exec(name);
    if (!match || match[1] !== wanted || match[2] !== HOST_TAG || !processGone(Number(match[3]))) continue;
    try {
      await unlink(path.join(dir, name));
      removed.push(name);
    } catch {
      // Gone already (another writer cleaned it), or not ours to remove: leave it.
    }
  }
  return removed;
}

function checkArguments(file: unknown, data: unknown, options: WriteFileAtomicOptions): void {
  if (typeof file !== 'string' || file.length === 0) {
    throw new AtomicWriteInvalidArgumentError('path must be a non-empty string');
  }
  if (file.includes('\0')) throw new AtomicWriteInvalidArgumentError('path must not contain a NUL byte');
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new AtomicWriteInvalidArgumentError('data must be a string or a Uint8Array (such as a Buffer)');
  }
  const { mode, signal } = options;
  if (mode !== undefined && (!Number.isInteger(mode) || mode < 0 || mode > 0o7777)) {
    throw new AtomicWriteInvalidArgumentError(`mode must be an integer between 0 and 0o7777, not ${mode}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new AtomicWriteInvalidArgumentError('signal must be an AbortSignal');
  }
}

/**
 * The file a write to `file` must replace, and its current state. A symlink is followed, so that a
 * symlinked config stays a symlink; a dangling one is replaced by the rename, as if the file were missing.
 */
async function inspectTarget(
  file: string,
  followSymlinks: boolean,
): Promise<{ target: string; existing: Stats | undefined }> {
  const absolute = path.resolve(file);
  if (!followSymlinks) {
    try {
      resolveTrustedLinks(absolute);
    } catch (error) {
      if (error instanceof UnsafeFileError) throw error;
      throw new AtomicWriteError(absolute, 'stat target', error);
    }
  }
  const statOf = (target: string, follow: boolean) =>
    (follow ? stat(target) : lstat(target)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new AtomicWriteError(target, 'stat target', error);
    });
  const own = await statOf(absolute, false);
  if (!own?.isSymbolicLink()) return { target: absolute, existing: own };
  const target = await realpath(absolute).catch(() => undefined);
  if (target === undefined) return { target: absolute, existing: undefined };
  return { target, existing: await statOf(target, true) };
}

async function fsyncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return; // folders cannot be opened for fsync there; NTFS journals renames
  // O_DIRECTORY: whatever else was put there is refused, not opened (a FIFO would block).
  const handle = await open(
    dir,
    constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NONBLOCK ?? 0),
  );
  try {
    await handle.sync();
  } catch (error) {
    // Some filesystems cannot fsync a folder at all; there is nothing more we can do there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR') throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Write the temp file of an atomic write (created next to the target, written, fsynced when durable)
 * without renaming it yet. `writeFileAtomic` is this plus `commit()`; the store uses the two halves to
 * write several files all-or-nothing.
 */
export async function prepareAtomicWrite(
  file: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<PreparedWrite> {
  checkArguments(file, data, options);
  const { signal, durable = true, encoding = 'utf8' } = options;
  signal?.throwIfAborted();
  const { target, existing } = await inspectTarget(file, options.followSymlinks === true);
  const dir = path.dirname(target);
  const base = path.basename(target);
  if (existing?.isDirectory()) {
    throw new AtomicWriteInvalidArgumentError(`${target} is a folder; only a file can be replaced`);
  }
  if (existing && !existing.isFile()) throw new NotRegularFileError(target, kindOf(existing));
  // Alongside the write: the temps it may remove are never ours (ours carries this live pid).
  const cleaning = removeStaleTemps(dir, base);

  const temp = path.join(dir, tempName(base));
  let handle: FileHandle | undefined;
  let step = 'create temp file';
  const discard = async () => {
    await unlink(temp).catch(() => {});
  };
  try {
    // O_EXCL creates the file or fails: never another user's file, a link or a FIFO put at that name.
    handle = await openRegular(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, {
      mode: existing ? 0o600 : (options.mode ?? 0o666),
      singleLink: true,
      ownFile: true,
    });
    if (existing) {
      step = 'copy mode';
      await handle.chmod(existing.mode & 0o7777);
      if (process.getuid?.() === 0 && (existing.uid !== 0 || existing.gid !== process.getgid?.())) {
        step = 'copy owner';
        await handle.chown(existing.uid, existing.gid);
      }
    }
    signal?.throwIfAborted();
    step = 'write';
    await handle.writeFile(typeof data === 'string' ? Buffer.from(data, encoding) : data);
    signal?.throwIfAborted();
    if (durable) {
      step = 'fsync';
      await handle.sync();
    }
    step = 'close';
    const closing = handle;
    handle = undefined;
    await closing.close();
  } catch (error) {
    await handle?.close().catch(() => {});
    // A failed create made no temp file; removing is harmless then.
    await Promise.all([discard(), cleaning]);
    if (signal?.aborted && error === signal.reason) throw error;
    if (error instanceof UnsafeFileError || error instanceof NotRegularFileError) throw error;
    throw new AtomicWriteError(target, step, error);
  }

  await cleaning;
  let committed = false;
  return {
    target,
    discard: () => (committed ? Promise.resolve() : discard()),
    async commit() {
      try {
        signal?.throwIfAborted();
        await renameWithRetry(temp, target, process.platform === 'win32' ? WINDOWS_RETRY_CODES : new Set());
      } catch (error) {
        await discard();
        if (signal?.aborted && error === signal.reason) throw error;
        // Never fall back to writing the target in place: a reader could see it half written.
        throw new AtomicWriteError(target, 'rename', error);
      }
      committed = true;
      if (durable) {
        try {
          await fsyncFolder(dir);
        } catch (error) {
          throw new AtomicWriteError(target, 'fsync folder (the new content is in place)', error);
        }
      }
    },
  };
}

/**
 * Replace `path` with `data` atomically: readers see the old content or the new, never a mix, even if the
 * process dies midway. A temp file in the same folder is written, fsynced, and renamed over the target,
 * then the folder is fsynced. The target keeps its mode (and, when run as root, its owner). A symlink
 * is followed when this user made it or its folder is not writable by others (else `FILE_UNSAFE`,
 * unless `followSymlinks: true`). Temp files left by writers that crashed are removed by a later write.
 * There is no non-atomic fallback: if the rename cannot happen, the call throws and the old file stays whole.
 *
 * @throws {AtomicWriteInvalidArgumentError} `ATOMIC_WRITE_INVALID_ARGUMENT` for an empty path, a NUL byte,
 *   a target that is a folder, data that is neither a string nor bytes, a bad mode.
 * @throws {AtomicWriteError} `ATOMIC_WRITE_IO` when the OS refuses a step (read-only folder, full disk...);
 *   `operation` names the step and `cause` is the OS error.
 * @throws {NotRegularFileError} `FILE_NOT_REGULAR` when the target is a FIFO, a socket or a device.
 * @throws {UnsafeFileError} `FILE_UNSAFE` for a symbolic link planted in a folder others can write.
 * @throws `signal.reason` when `signal` aborts first; nothing was written.
 * @example
 * await writeFileAtomic('settings.json', JSON.stringify(settings, null, 2) + '\n');
 * await writeFileAtomic('cache.bin', bytes, { durable: false }); // faster; atomic, but may not survive a power cut
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options?: WriteFileAtomicOptions,
): Promise<void> {
  const prepared = await prepareAtomicWrite(path, data, options);
  await prepared.commit();
}
