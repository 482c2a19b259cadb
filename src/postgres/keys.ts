import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { LockInvalidArgumentError } from '../errors.js';

/** The namespace when none is given. */
export const DEFAULT_NAMESPACE = 'locksmith';

const NAMESPACE = /^[A-Za-z0-9_.-]{1,63}$/;

export function checkNamespace(namespace: unknown): string {
  if (namespace === undefined) return DEFAULT_NAMESPACE;
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new LockInvalidArgumentError(
      `namespace must be 1 to 63 characters among A-Z a-z 0-9 _ . -, not ${JSON.stringify(namespace)}`,
    );
  }
  return namespace;
}

/**
 * The paths of a shared root (the `root` option): as given, made absolute, and its real path when it
 * exists (the store and the check-out registry lock real paths), real path first. Resolved once.
 */
export function checkRoot(root: unknown): string[] {
  if (root === undefined) return [];
  if (typeof root !== 'string' || root === '' || root.includes('\0')) {
    throw new LockInvalidArgumentError('root must be a non-empty path without NUL bytes');
  }
  const given = path.resolve(root);
  let real: string;
  try {
    real = realpathSync(given);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      throw new LockInvalidArgumentError(`root ${given} cannot be resolved (${code})`, { cause: error });
    }
    real = given; // not mounted (yet): names under the path as given still share their keys
  }
  return real === given ? [given] : [real, given];
}

/**
 * The name to key for `name`: an absolute path inside one of `roots` becomes its `/`-separated path
 * relative to that root (`'.'` for the root itself), so that machines mounting one share at different
 * paths lock the same names. Anything else (relative names, paths outside the roots) is kept as given.
 */
export function nameUnder(roots: readonly string[], name: string): string {
  if (!path.isAbsolute(name)) return name;
  for (const root of roots) {
    const relative = path.relative(root, name);
    if (relative === '') return '.';
    if (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)) {
      return relative.split(path.sep).join('/');
    }
  }
  return name;
}

/**
 * The key of `name` in `namespace`: `postgres:<namespace>:<name>`. The namespace holds no `:`, so the
 * pair is recoverable from the key and two different pairs never share a key.
 */
export function keyOf(namespace: string, name: string): string {
  return `postgres:${namespace}:${name}`;
}

/**
 * The advisory-lock number of a key: the first 64 bits of its SHA-256, as a signed bigint (PostgreSQL's
 * `bigint` key space). Distinct keys collide with probability 2^-64 per pair; a collision only makes two
 * names exclude each other (extra contention), never lets two holders of one name in.
 */
export function lockNumber(key: string): bigint {
  return createHash('sha256').update(key, 'utf8').digest().readBigInt64BE(0);
}

/** How `pg_locks` shows a bigint advisory lock: `classid` = high 32 bits, `objid` = low 32 bits, `objsubid` = 1. */
export function lockIds(lock: bigint): { classid: number; objid: number } {
  const unsigned = BigInt.asUintN(64, lock);
  return { classid: Number(unsigned >> 32n), objid: Number(unsigned & 0xffffffffn) };
}
