import { constants } from 'node:fs';
import { openRegular } from '../fs/open-regular.js';

const WRITE_BITS = 0o222;
// Opened without following a final symbolic link (a link swapped in after the path was confined to the
// root cannot redirect the chmod elsewhere) and without blocking (a FIFO swapped in is refused).

/**
 * Make `file` writable by its owner (`u+w`), or read-only for everyone (`a-w`), like `svn:needs-lock`.
 * Only the owner's bit is added: with several users, only a file's owner (or root) may change its mode.
 * Returns the mode before, to undo the change with {@link restoreMode}.
 */
export async function setWritable(file: string, writable: boolean): Promise<number> {
  const handle = await openRegular(file, constants.O_RDONLY);
  try {
    const before = (await handle.stat()).mode & 0o7777;
    const after = writable ? before | 0o200 : before & ~WRITE_BITS;
    if (after !== before) await handle.chmod(after);
    return before;
  } finally {
    await handle.close();
  }
}

/** Put back a mode returned by {@link setWritable}. */
export async function restoreMode(file: string, mode: number): Promise<void> {
  const handle = await openRegular(file, constants.O_RDONLY);
  try {
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}
