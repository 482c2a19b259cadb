// The spec's checks (conformance-checks.ts) on ours, against answers derived from the spec; and, when the
// running Node has its own `navigator.locks` (Node 24.5+), on the built-in too: both must answer the same.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLockManager } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { CHECKS, type LockManagerLike } from './conformance-checks.js';
import { SHAPE_CHECKS } from './conformance-shape.js';

const builtIn = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;

describe('Web Locks conformance with the spec (and with Node 24’s navigator.locks)', {
  timeout: 60_000,
}, () => {
  const root = tempDir('locksmith-web-locks-spec-');
  const ours = createLockManager({ dir: path.join(root, 'locks') }) as unknown as LockManagerLike;
  let n = 0;

  for (const check of [...CHECKS, ...SHAPE_CHECKS]) {
    it(`ours: ${check.name}`, { timeout: 20_000 }, async () => {
      assert.deepEqual(await check.run(ours, `check-${++n}`), check.expected);
    });
    it(`navigator.locks: ${check.name}`, {
      timeout: 20_000,
      skip: builtIn ? false : 'no navigator.locks in this Node',
    }, async () => {
      const name = `locksmith-check-${process.pid}-${++n}`;
      const [theirs, mine] = [await check.run(builtIn!, name), await check.run(ours, `${name}-ours`)];
      if (check.builtIn === undefined)
        assert.deepEqual(mine, theirs, 'ours and the built-in answer differently');
      // Where the built-in knowingly departs from the spec, it still answers as recorded (and ours as the spec).
      assert.deepEqual(
        theirs,
        check.builtIn ?? check.expected,
        "the built-in's answer is not the one recorded",
      );
      assert.deepEqual(mine, check.expected);
    });
  }
});
