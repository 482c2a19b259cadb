// A short slice of `npm run torture` per backend: real worker processes, SIGKILLs, lock files removed and
// truncated from outside, and the checker's verdict. The long runs are `npm run torture -- --duration N`.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { TortureReport } from '../../scripts/torture/check.js';
import type { StoreReport } from '../../scripts/torture/check-store.js';
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
// Short, and lighter than the defaults (this suite shares 2 cores with the others); chaos at 2 events/s
// of each kind, so that a slice without a kill, a removal or a truncation has odds below 1e-6.
const CHAOS = ['--kill-rate=2', '--delete-rate=2', '--truncate-rate=2'];
const SLICES = [
  { variant: 'lock', backend: 'kernel', args: ['--duration=10', '--workers=8'] },
  { variant: 'lock', backend: 'lease', args: ['--duration=6', '--workers=4'] },
  { variant: 'store', backend: 'kernel', args: ['--duration=6', '--workers=4', '--store'] },
] as const;

async function torture(
  args: readonly string[],
): Promise<{ report: TortureReport | StoreReport; code: number | null } | { skipped: string }> {
  const conductor = spawnChild(MAIN, [...args, ...CHAOS]);
  const outcome = await Promise.race([
    conductor.next<{ report: TortureReport | StoreReport }>('result', 170_000),
    conductor.next<{ message: string }>('skipped', 170_000),
  ]);
  if ('message' in outcome) return { skipped: outcome.message };
  return { report: outcome.report, code: (await conductor.exited).code };
}

for (const slice of SLICES) {
  const backend = BACKENDS.find((b) => b.name === slice.backend);
  const unavailable = backend ? await backend.unavailable() : `no ${slice.backend} backend in this build`;
  const title = `torture${slice.variant === 'store' ? ' --store' : ''}, ${slice.backend} backend`;
  describe(title, { timeout: 180_000, skip: unavailable ?? false }, () => {
    killChildrenAfter();

    it(`${slice.args.join(' ')}: no violation`, async (t) => {
      const outcome = await torture([...slice.args, `--backend=${slice.backend}`]);
      if ('skipped' in outcome) {
        t.skip(outcome.skipped);
        return;
      }
      const { report, code } = outcome;
      assert.equal(report.violations, 0, report.details.join('\n'));
      assert.equal(code, 0);
      assert.ok(report.kills > 0, 'no worker was killed');
      if ('acknowledged' in report) {
        assert.ok(report.acknowledged > 0);
        assert.ok((report.count ?? 0) >= report.acknowledged);
        return;
      }
      assert.equal(report.overlaps, 0);
      assert.ok(report.acquisitions > 0);
      assert.ok(report.deletions > 0, 'no lock file was removed');
      assert.ok(report.truncations > 0, 'no lock file was truncated');
    });
  });
}
