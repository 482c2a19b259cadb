import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LockDirectoryError } from '../errors.js';

function userTag(): string {
  const uid = process.getuid?.();
  if (uid !== undefined) return String(uid);
  return os.userInfo().username.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * The default folder of the Web Locks: per user, so that the processes of one user coordinate and other
 * users can neither see nor break their locks. `$XDG_RUNTIME_DIR/locksmith-web-locks` when the session has
 * a runtime folder (private and emptied at logout or reboot), else `<tmpdir>/locksmith-web-locks-<uid>`.
 */
export function defaultFolder(): string {
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime && path.isAbsolute(runtime) && fs.statSync(runtime, { throwIfNoEntry: false })?.isDirectory()) {
    return path.join(runtime, 'locksmith-web-locks');
  }
  return path.join(os.tmpdir(), `locksmith-web-locks-${userTag()}`);
}

/**
 * Create `folder` (mode 0700) if missing. With `checkOwner` (the default folder, which may live in the
 * shared temp folder), also refuse a symlink, or a folder that another user created or opened up: whoever
 * owns it could read, steal or fake our locks. A folder the caller chose is the caller's business.
 *
 * @throws {LockDirectoryError} when it cannot be created, is not a folder, or is not private to us.
 */
export function prepareFolder(folder: string, checkOwner: boolean): void {
  try {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new LockDirectoryError(folder, error);
  }
  let stat: fs.Stats;
  try {
    stat = checkOwner ? fs.lstatSync(folder) : fs.statSync(folder);
  } catch (error) {
    throw new LockDirectoryError(folder, error);
  }
  if (!stat.isDirectory())
    throw new LockDirectoryError(folder, checkOwner ? 'not a folder (a symlink or a file)' : 'not a folder');
  const uid = process.getuid?.();
  if (!checkOwner || uid === undefined) return;
  if (stat.uid !== uid) {
    throw new LockDirectoryError(folder, `owned by uid ${stat.uid}, not by this user (uid ${uid})`);
  }
  if ((stat.mode & 0o077) !== 0) {
    throw new LockDirectoryError(
      folder,
      `mode ${(stat.mode & 0o777).toString(8)} lets other users in; expected 700`,
    );
  }
}

/** Create a subfolder of a prepared folder, with the same private mode. */
export function prepareSubfolder(folder: string): void {
  try {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new LockDirectoryError(folder, error);
  }
}
