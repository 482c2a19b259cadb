import { createHash } from 'node:crypto';
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
