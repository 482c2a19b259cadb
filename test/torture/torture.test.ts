// A short slice of `npm run torture` per backend: real worker processes, SIGKILLs, lock files removed and
// truncated from outside, and the checker's verdict. The long runs are `npm run torture -- --duration N`.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { TortureReport } from '../../scripts/torture/check.js';
import { BACKENDS } from '../helpers/backends.js';
import { killChildrenAfter, spawnChild } from '../helpers/children.js';

const MAIN = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'scripts',
  'torture',
  'main.ts',
);
const SECONDS = 12;

for (const backend of BACKENDS) {
  const unavailable = await backend.unavailable();
  describe(`torture, ${backend.name} backend`, { timeout: 180_000, skip: unavailable ?? false }, () => {
    killChildrenAfter();

    it(`${SECONDS} s of kills, removals and truncations: no overlap`, async (t) => {
      const conductor = spawnChild(MAIN, [`--duration=${SECONDS}`, `--backend=${backend.name}`]);
      const outcome = await Promise.race([
        conductor.next<{ report: TortureReport }>('result', 170_000),
        conductor.next<{ message: string }>('skipped', 170_000),
      ]);
      if ('message' in outcome) {
        t.skip(outcome.message);
        return;
      }
      const { report } = outcome;
      assert.equal((await conductor.exited).code, report.violations > 0 ? 1 : 0);
      assert.equal(report.violations, 0, report.details.join('\n'));
      assert.equal(report.overlaps, 0);
      assert.ok(report.acquisitions > 0);
      // The chaos happened (each is a Poisson process of >= 1 event/s: none in 12 s has odds of 1e-5).
      assert.ok(report.kills > 0, 'no worker was killed');
      assert.ok(report.deletions > 0, 'no lock file was removed');
      assert.ok(report.truncations > 0, 'no lock file was truncated');
    });
  });
}
