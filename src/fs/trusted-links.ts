// Which symbolic links may be followed to a file locksmith writes. In a folder that someone else can
// change, a link may have been planted to make the caller (root, say) write a file of theirs choosing.
import fs, { type Stats } from 'node:fs';
import path from 'node:path';
import { UnsafeFileError } from './errors.js';

/** Links followed in one path before giving up, as the kernel does (ELOOP). */
const MAX_LINKS = 40;

/**
 * Whether someone other than `uid` (and root) can add, remove or rename entries of the folder: it is
 * group- or world-writable, sticky (a shared temp folder), or it belongs to another user.
 */
export function writableByOthers(folder: Stats, uid: number): boolean {
  return (folder.mode & 0o1022) !== 0 || (folder.uid !== uid && folder.uid !== 0);
}

function loopError(file: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`ELOOP: too many symbolic links, resolving '${file}'`);
  error.code = 'ELOOP';
  error.path = file;
  return error;
}

/**
 * The real path of `file` (its links resolved; the parts that do not exist yet kept as they are), or a
 * refusal: a symbolic link on the way is followed only when the caller made it, or when the folder
 * holding it cannot be changed by anyone else (see {@link writableByOthers}). This is the kernel's
 * `fs.protected_symlinks` rule for sticky folders, extended to every folder others can write, and
 * applied whatever that setting says. Without a uid (Windows) every link is followed.
 *
 * The check is made by path, then the caller opens the real path with `O_NOFOLLOW`: a link swapped in
 * after the check, at the last part, is refused by the open; a folder on the way swapped for a link in
 * that instant is a race this cannot close (Node has no `openat`).
 *
 * @throws {UnsafeFileError} `FILE_UNSAFE` (`reason: 'symlink'`) naming the link, its folder and its target.
 * @throws the OS error of `lstat` or `readlink` other than ENOENT (EACCES on a folder of the way, ELOOP).
 */
export function resolveTrustedLinks(file: string): string {
  const absolute = path.resolve(file);
  const uid = process.geteuid?.();
  try {
    // Nearly always: no link at all, one system call.
    if (fs.realpathSync.native(absolute) === absolute) return absolute;
  } catch {
    // Missing, or a link on the way: walk it.
  }
  if (uid === undefined) return resolveAll(absolute);
  const { root } = path.parse(absolute);
  let resolved = root;
  const rest = absolute.slice(root.length).split(path.sep);
  let links = 0;
  while (rest.length > 0) {
    const name = rest.shift()!;
    if (name === '' || name === '.') continue;
    if (name === '..') {
      resolved = path.dirname(resolved);
      continue;
    }
    const candidate = path.join(resolved, name);
    const stats = fs.lstatSync(candidate, { throwIfNoEntry: false });
    if (!stats) return path.join(candidate, ...rest);
    if (!stats.isSymbolicLink()) {
      resolved = candidate;
      continue;
    }
    if (++links > MAX_LINKS) throw loopError(absolute);
    const target = fs.readlinkSync(candidate);
    if (stats.uid !== uid && writableByOthers(fs.statSync(resolved), uid)) {
      throw new UnsafeFileError(
        candidate,
        'symlink',
        `is a symbolic link (to ${target}) made by uid ${stats.uid} in ${resolved}, a folder others can write: ` +
          'locksmith does not follow it (pass followSymlinks: true, or --follow-symlinks, if you trust it)',
      );
    }
    if (path.isAbsolute(target)) resolved = path.parse(target).root;
    rest.unshift(...target.split(/[\\/]/));
  }
  return resolved;
}

/** `realpath` of `absolute`, or of its longest existing part plus the rest. */
function resolveAll(absolute: string): string {
  try {
    return fs.realpathSync(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(resolveAll(parent), path.basename(absolute));
  }
}
