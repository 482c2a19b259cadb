import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as api from '../src/index.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const documentedCodes = new Set(
  [...doc.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|\s*`(\w+)`\s*\|/gm)].map((m) => m[1]),
);
const documentedClasses = new Map(
  [...doc.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|\s*`(\w+)`\s*\|/gm)].map((m) => [m[2], m[1]]),
);

const errorClasses = Object.entries(api).filter(
  ([, value]) => typeof value === 'function' && value.prototype instanceof api.LocksmithError,
) as [string, typeof api.LocksmithError][];

describe('the error family and docs/errors.md', { timeout: 10_000 }, () => {
  it('exports error classes', () => {
    assert.ok(errorClasses.length >= 6);
  });

  for (const [name, cls] of errorClasses) {
    it(`${name} is documented with its code ${cls.code}`, () => {
      assert.equal(documentedClasses.get(name), cls.code);
    });
  }

  it('documents no code that the code does not have', () => {
    const codes = new Set<string | undefined>(errorClasses.map(([, cls]) => cls.code));
    assert.deepEqual(
      [...documentedCodes].filter((c) => !codes.has(c)),
      [],
    );
  });

  it('codes are unique and SCREAMING_SNAKE', () => {
    const codes = errorClasses.map(([, cls]) => cls.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.match(code, /^[A-Z]+(_[A-Z0-9]+)+$/);
  });

  it('instances carry the class code and name', () => {
    const error = new api.LockUnsupportedError('nope');
    assert.equal(error.code, 'LOCK_UNSUPPORTED');
    assert.equal(error.name, 'LockUnsupportedError');
    assert.ok(error instanceof api.LocksmithError);
  });
});
