import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepFreeze } from '../../src/store/deep-freeze.js';

describe('deepFreeze', { timeout: 5_000 }, () => {
  it('freezes every nested object and array, and returns the same value', () => {
    const value = { a: { b: [1, { c: 2 }] }, d: 'x' };
    const frozen = deepFreeze(value);
    assert.equal(frozen, value);
    assert.ok(Object.isFrozen(value));
    assert.ok(Object.isFrozen(value.a));
    assert.ok(Object.isFrozen(value.a.b));
    assert.ok(Object.isFrozen(value.a.b[1]));
    assert.throws(() => {
      (value.a.b[1] as { c: number }).c = 3;
    }, TypeError);
  });

  it('handles cycles and primitives', () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    deepFreeze(cyclic);
    assert.ok(Object.isFrozen(cyclic));
    assert.equal(deepFreeze(3), 3);
    assert.equal(deepFreeze(null), null);
  });
});
