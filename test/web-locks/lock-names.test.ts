import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lockFileName } from '../../src/web-locks/lock-names.js';

describe('Web Lock names to lock file names', { timeout: 10_000 }, () => {
  it('keeps a readable prefix and adds a 128-bit hash', () => {
    assert.match(lockFileName('feeds/sync'), /^feeds_sync-[0-9a-f]{32}\.lock$/);
    assert.match(lockFileName(''), /^[0-9a-f]{32}\.lock$/);
  });

  it('gives look-alike names different files', () => {
    const names = [
      'a/b',
      'a_b',
      'a\\b',
      'a:b',
      'A_b',
      'é',
      'e\u0301',
      '\uD800',
      '\uDC00',
      '\uFFFD',
      'x'.repeat(41),
    ];
    names.push(`${'x'.repeat(40)}y`);
    const files = names.map(lockFileName);
    assert.equal(new Set(files).size, names.length);
  });

  it('is stable, bounded in length, and safe in any file system', () => {
    assert.equal(lockFileName('same'), lockFileName('same'));
    for (const name of ['x'.repeat(100_000), '../../etc/passwd', 'con', 'a\0b', '\n', '🔒'.repeat(30)]) {
      const file = lockFileName(name);
      assert.ok(file.length <= 40 + 1 + 32 + 5, file);
      assert.match(file, /^[A-Za-z0-9._-]*[0-9a-f]{32}\.lock$/);
      assert.ok(!file.includes('/'));
    }
  });
});
