import type { WriteFileAtomicOptions } from './write-file-atomic.js';

// The public `writeFileAtomic`, which loads the writer (and node:crypto, node:fs/promises) on its first
// call, so that `import('locksmith')` does not.

/**
 * The writer, imported once: later calls neither resolve it again nor need to read the installed files (a
 * process may have dropped its privileges since).
 */
let writer: Promise<typeof import('./write-file-atomic.js')> | undefined;

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
  writer ??= import('./write-file-atomic.js');
  await (await writer).writeFileAtomic(path, data, options);
}
