import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeText, encodeText } from '../../src/store/text-bytes.js';

describe('store text ↔ bytes', { timeout: 60_000 }, () => {
  it('any bytes decode and encode back to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        assert.deepEqual(encodeText(decodeText(bytes)), Buffer.from(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('valid UTF-8 decodes as usual; each stray byte as U+DC00 + byte', () => {
    assert.equal(decodeText(Buffer.from('caf\u00e9 \u{1f600}')), 'caf\u00e9 \u{1f600}');
    // A Latin-1 é, a truncated sequence, an overlong form, a UTF-16 surrogate in UTF-8 (CESU).
    assert.equal(decodeText(Buffer.of(0x63, 0xe9)), 'c\udce9');
    assert.equal(decodeText(Buffer.of(0xe2, 0x82)), '\udce2\udc82');
    assert.equal(decodeText(Buffer.of(0xc0, 0xaf)), '\udcc0\udcaf');
    assert.equal(decodeText(Buffer.of(0xed, 0xa0, 0x80)), '\udced\udca0\udc80');
  });

  it('a lone surrogate that is not an escape encodes as U+FFFD, as Buffer.from does', () => {
    assert.deepEqual(encodeText('\ud800'), Buffer.from('\ufffd'));
  });
});
