import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { REGISTRY_FOLDER } from './constants.js';
import { CheckoutInvalidArgumentError, CheckoutIOError, CheckoutPathEscapeError } from './errors.js';

export { REGISTRY_FOLDER };

/** A file name checked against the root. */
export interface Confined {
  /** Relative to the root, `/`-separated: the registry's key for the file. */
  readonly name: string;
  /** The absolute path with every existing symbolic link resolved (inside the root). */
  readonly path: string;
}

function isOutside(relative: string): boolean {
  return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
}

/**
 * The real path of `absolute`: `realpath` of the longest part that exists, plus the rest (which, not
 * existing, contains no link). A dangling link is resolved by hand, so that creating its target later
 * cannot lead out of the root.
 */
async function resolveReal(absolute: string, depth = 0): Promise<string> {
  const tail: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return path.join(await realpath(current), ...tail);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw new CheckoutIOError(absolute, 'resolve', error);
      }
    }
    const link = await lstat(current).catch(() => undefined);
    if (link?.isSymbolicLink() && depth < 40) {
      // A dangling link: follow its text (relative to its folder), then go on from there.
      const target = path.resolve(path.dirname(current), await readlink(current));
      return path.join(await resolveReal(target, depth + 1), ...tail);
    }
    const parent = path.dirname(current);
    if (parent === current) return path.join(current, ...tail);
    tail.unshift(path.basename(current));
    current = parent;
  }
}

/**
 * Check that `file` (relative to `root`, or absolute) names something inside `root`, and return its name
 * relative to the root. `root` must be a real path (no links).
 *
 * @throws {CheckoutPathEscapeError} `CHECKOUT_PATH_ESCAPE` for `../`, an absolute path elsewhere, or a link leading out.
 * @throws {CheckoutIOError} `CHECKOUT_IO` when a folder on the way cannot be searched (EACCES, ELOOP).
 * @throws {CheckoutInvalidArgumentError} `CHECKOUT_INVALID_ARGUMENT` for an empty name, a NUL byte, the root
 *   itself, or a name inside the registry's own folder.
 */
export async function confinePath(root: string, file: string): Promise<Confined> {
  if (typeof file !== 'string' || file.length === 0) {
    throw new CheckoutInvalidArgumentError('file must be a non-empty string');
  }
  if (file.includes('\0')) throw new CheckoutInvalidArgumentError('file must not contain a NUL byte');
  const lexical = path.resolve(root, file);
  if (isOutside(path.relative(root, lexical))) {
    throw new CheckoutPathEscapeError(file, root, lexical, path.isAbsolute(file) ? 'absolute' : 'dot-dot');
  }
  const real = await resolveReal(lexical);
  const relative = path.relative(root, real);
  if (isOutside(relative)) throw new CheckoutPathEscapeError(file, root, real, 'symlink');
  if (relative === '')
    throw new CheckoutInvalidArgumentError(`${file} is the root folder itself, not a file`);
  const name = relative.split(path.sep).join('/');
  if (name === REGISTRY_FOLDER || name.startsWith(`${REGISTRY_FOLDER}/`)) {
    throw new CheckoutInvalidArgumentError(`${file} is inside the registry's own folder ${REGISTRY_FOLDER}/`);
  }
  return { name, path: real };
}
