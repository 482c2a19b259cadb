import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureWindowsQueueFolder, windowsQueueFolder } from '../windows/queue-folder.js';

/**
 * Where the wait queues live: one folder per user, `locksmith-<uid>` in /dev/shm (memory, always local,
 * inotify works there) or else the temporary folder, and in it one folder per lock file, named after the
 * lock file's device and inode. Nothing is written next to the user's lock file. Processes of another
 * user (or with another TMPDIR where /dev/shm is missing) queue apart: they still exclude each other
 * through the lock itself, and find its release by their head's bounded poll, only without FIFO order
 * between the two queues.
 */

let base: string | null | undefined;
let ready: boolean | undefined;

/** The user's queue folder (not created), or null where queues cannot be used (no uid, not Windows). */
export function userFolder(): string | null {
  if (base !== undefined) return base;
  if (process.platform === 'win32') {
    base = windowsQueueFolder();
    return base;
  }
  const uid = process.getuid?.();
  if (uid === undefined) {
    base = null;
    return base;
  }
  let parent: string | undefined;
  try {
    if (fs.statSync('/dev/shm').isDirectory()) parent = '/dev/shm';
  } catch {
    // no /dev/shm: the temporary folder
  }
  base = path.join(parent ?? os.tmpdir(), `locksmith-${uid}`);
  return base;
}

/**
 * Create the user's queue folder (0700) once, and check that it is ours: a folder planted by someone else
 * (another owner, open to others, a symlink) is refused, and waits poll instead.
 */
export function ensureUserFolder(): boolean {
  if (ready !== undefined) return ready;
  const folder = userFolder();
  ready = false;
  if (!folder) return ready;
  if (process.platform === 'win32') {
    ready = ensureWindowsQueueFolder(folder);
    return ready;
  }
  try {
    fs.mkdirSync(folder, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return ready;
  }
  try {
    const stat = fs.lstatSync(folder);
    ready = stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
  } catch {
    ready = false;
  }
  return ready;
}

/** The queue folder of the lock file with this identity (it may not exist), or null without queues. */
export function queueFolder(dev: bigint, ino: bigint): string | null {
  const folder = userFolder();
  // Every release asks: a plain concatenation, as the user's folder is already a normalized absolute path.
  return folder && `${folder}${path.sep}${dev}-${ino}`;
}
