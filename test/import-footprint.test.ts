// What `import('locksmith')` costs a short-lived process: none of the dependencies load at import (the FFI
// binding loads on the first lock, a store's parser when a store is first read, the CLI's parser only in
// the CLI), so that a later change cannot quietly put the cost back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES } from './helpers/children.js';
import { tempDir } from './helpers/tmp.js';

interface Stage {
  stage: string;
  packages: string[];
}

describe('import footprint', { timeout: 60_000 }, () => {
  it('import loads no dependency; the first lock loads koffi only; a store loads its parser', () => {
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', path.join(FIXTURES, 'import-footprint.ts'), tempDir()],
      { encoding: 'utf8', timeout: 50_000 },
    );
    const stages = Object.fromEntries(
      output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Stage)
        .map((s) => [s.stage, s.packages]),
    );
    assert.deepEqual(stages.start, [], 'nothing before the import');
    assert.deepEqual(stages.import, [], 'no dependency is loaded by import');
    assert.deepEqual(stages.lock, ['koffi'], 'the first lock loads the FFI binding and nothing else');
    assert.deepEqual(
      stages.store?.sort(),
      ['jsonc-parser', 'koffi'],
      'reading a JSON store loads its parser',
    );
  });
});
