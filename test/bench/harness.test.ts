import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/tmp.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');

// The harness end to end on a tiny size: locksmith and the C limit only (no anchors to install), two
// figures, real worker processes. Numbers are not checked (speed belongs to `npm run bench`), only that
// every row was measured and the report and chart were written.
describe('npm run bench -- --quick (locksmith and C, two figures)', { timeout: 60_000 }, () => {
  it('measures every subject and writes the report and the chart', async () => {
    const out = tempDir('locksmith-bench-');
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(root, 'bench', 'main.ts'),
        '--quick',
        '--subjects',
        'locksmith,c',
        '--figures',
        'uncontended,recovery',
        '--out',
        out,
      ],
      { cwd: root, timeout: 55_000 },
    );
    assert.doesNotMatch(stdout, /FAILED/);
    const md = readFileSync(path.join(out, 'benchmarks.md'), 'utf8');
    const svg = readFileSync(path.join(out, 'benchmarks.svg'), 'utf8');
    // The locksmith row of a figure's own section ("## 1. Title"), not of the targets table.
    const row = (title: string) =>
      md
        .split('\n## ')
        .find((section) => /^\d+\. /.test(section) && section.includes(title))
        ?.match(/^\| locksmith \(kernel\) \| ([^|]+) \|/m)?.[1]
        ?.trim();
    assert.match(row('Uncontended acquire + release') ?? '', /^[\d. ]+$/);
    assert.match(row('Crash recovery') ?? '', /^[\d. ]+$/); // a finite time: the waiter got the lock
    const cMeasured = /^\| C, blocking flock\(2\) \| [\d. ]+ \|/m.test(md);
    assert.ok(
      cMeasured || /- C, blocking flock\(2\): cannot compile/.test(md),
      'C measured or skipped with a note',
    );
    assert.match(md, /Not measured: not requested/); // the store figure was left out
    assert.match(svg, /<svg[^>]*>[\s\S]*<\/svg>/);
  });
});
