import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where wait queues live on Windows: `locksmith-queues` in the user's temporary folder (%TEMP%, under the
 * user's profile, so only they and administrators can write there: Windows has no uid and no mode bits to
 * check, as POSIX does). Tickets are held with LockFileEx and a sleeping waiter is woken through `fs.watch`
 * (ReadDirectoryChangesW on the completion port of libuv's loop: no thread of libuv's pool). Processes
 * with another %TEMP% queue apart: they still exclude each other through the lock itself, and find its
 * release by their head's bounded poll, only without FIFO order between the two queues.
 */
export function windowsQueueFolder(): string {
  return path.join(os.tmpdir(), 'locksmith-queues');
}

/**
 * Create the folder once and check it is a plain folder (not a junction or symbolic link planted to send
 * tickets elsewhere); false refuses queues, and waits poll.
 */
export function ensureWindowsQueueFolder(folder: string): boolean {
  try {
    fs.mkdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  try {
    const stat = fs.lstatSync(folder);
    return stat.isDirectory() && !stat.isSymbolicLink();
  } catch {
    return false;
  }
}
