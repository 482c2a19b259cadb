import { nodeCrypto } from '../lazy-node.js';

/** How much of the name is kept, made safe, in front of the hash: enough to recognise it in `ls`. */
const PREFIX_LENGTH = 40;

/**
 * The lock file name of a Web Lock name. Names are arbitrary strings (any characters, any length, lone
 * surrogates included), so the file name is `<readable prefix>-<hash>.lock`:
 * - the hash is the first 32 hex digits (128 bits) of the SHA-256 of the name's UTF-16 code units, so
 *   every distinct name, even one that is not valid Unicode, gets its own file, and the length is bounded;
 * - the prefix is the first 40 characters of the name with everything but `A-Z a-z 0-9 . _ -` replaced by
 *   `_`: only for people reading the folder, never used to tell names apart.
 *
 * `"feeds/sync"` becomes `feeds_sync-<32 hex digits>.lock`.
 */
export function lockFileName(name: string): string {
  const hash = nodeCrypto()
    .createHash('sha256')
    .update(Buffer.from(name, 'utf16le'))
    .digest('hex')
    .slice(0, 32);
  const prefix = name.slice(0, PREFIX_LENGTH).replace(/[^A-Za-z0-9._-]/g, '_');
  return prefix ? `${prefix}-${hash}.lock` : `${hash}.lock`;
}
