/**
 * A store file's bytes as text and back, losslessly. Valid UTF-8 decodes as usual. A byte that is not
 * part of valid UTF-8 (a Latin-1 `é` written as 0xE9) decodes as the lone surrogate U+DC00 + byte, the
 * way Python's `surrogateescape` does, instead of U+FFFD: the parsers carry it through like any other
 * character, and `encodeText` turns it back into the very same byte. So a value the update does not
 * touch keeps its bytes, invalid or not.
 */

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The length of the valid UTF-8 sequence at `i`, or 0 when the byte there does not start one. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const b = bytes[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    // No overlong forms (E0 80..9F) and no UTF-16 surrogates (ED A0..BF).
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

export function decodeText(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    // Not valid UTF-8: decode it piece by piece, escaping each stray byte.
  }
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  const flush = (end: number) => {
    if (end > start) parts.push(strict.decode(bytes.subarray(start, end)));
  };
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    flush(i);
    parts.push(String.fromCharCode(0xdc00 + bytes[i]!));
    i++;
    start = i;
  }
  flush(i);
  return parts.join('');
}

function isEscape(code: number): boolean {
  return code >= 0xdc80 && code <= 0xdcff;
}

/**
 * The bytes of `text`: UTF-8, with the escapes of `decodeText` turned back into their bytes. Any other
 * lone surrogate becomes U+FFFD, as in `Buffer.from`: the store reads what it wrote back and refuses a
 * value that changed that way.
 */
export function encodeText(text: string): Buffer {
  const chunks: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isEscape(code)) continue;
    // A low surrogate after a high one is half of a valid pair, not an escape.
    if (i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff) continue;
    chunks.push(Buffer.from(text.slice(start, i), 'utf8'), Buffer.of(code - 0xdc00));
    start = i + 1;
  }
  if (start === 0) return Buffer.from(text, 'utf8');
  chunks.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(chunks);
}
