// What the built package loads in a short-lived process (dist/ as scripts/bundle-dist.js and
// scripts/bundle-cli-cjs.js build it). Node's ES module loader costs about a millisecond of CPU per file:
// `import('locksmith')` reads three files and a first uncontended lock none more (nor perf_hooks);
// `locksmith run` (bin/locksmith.cjs) reads one CommonJS bundle and no ES module. Needs dist/ built
// (`npm ci` or `npm run build`); skipped without it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FIXTURES } from './helpers/children.js';
import { tempDir } from './helpers/tmp.js';

const built = existsSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js'));

interface Stage {
  stage: string;
  files: string[];
  builtins: string[];
}

function stagesOf(args: string[]): Record<string, Stage> {
  const output = execFileSync(
    process.execPath,
    [path.join(FIXTURES, 'dist-footprint.mjs'), tempDir(), ...args],
    {
      encoding: 'utf8',
      timeout: 50_000,
    },
  );
  const stages = output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Stage);
  return Object.fromEntries(stages.map((s) => [s.stage, s]));
}

/** The files of `later` that `earlier` had not loaded. */
function added(earlier: Stage | undefined, later: Stage | undefined): string[] {
  assert.ok(earlier && later, 'both stages were reported');
  return later.files.filter((file) => !earlier.files.includes(file));
}

/** Built-in modules a one-shot lock has no use for: perf_hooks (read the clock only for a timeout), crypto. */
const NOT_FOR_ONE_LOCK = ['perf_hooks', 'crypto'];

describe('import footprint of the built package', {
  timeout: 60_000,
  skip: !built && 'dist/ is not built',
}, () => {
  it('import reads the root and two chunks; a first lock reads no other file', () => {
    const stages = stagesOf([]);
    const files = stages.import?.files ?? [];
    assert.ok(files.includes('index.js'), 'the root was loaded');
    assert.equal(files.length, 3, `files loaded by import: ${files.join(', ')}`);
    assert.deepEqual(added(stages.import, stages.lock), [], 'files loaded by the first lock');
    const builtins = stages.lock?.builtins.filter((name) => NOT_FOR_ONE_LOCK.includes(name));
    assert.deepEqual(builtins, [], 'built-in modules loaded by import and a first lock');
    // node:fs is taken through require() in dist/: its ES facade would read fs.ReadStream & co, which load
    // node:stream (scripts/bundle-dist.js). `locksmith run` spawns a command, which loads streams anyway.
    assert.ok(
      !stages.lock?.builtins.includes('stream'),
      'node:stream is not loaded by import and a first lock',
    );
  });

  it('a first wait, and then a first store update, load no perf_hooks (their clock is process.hrtime)', () => {
    const stages = stagesOf([]);
    for (const stage of ['wait', 'update']) {
      const builtins = stages[stage]?.builtins;
      assert.ok(builtins, `the ${stage} stage was reported`);
      assert.ok(!builtins.includes('perf_hooks'), `built-ins after the ${stage}: ${builtins.join(', ')}`);
    }
  });

  it('`locksmith run` (bin/locksmith.cjs) reads one CommonJS file and no ES module', () => {
    const run = stagesOf(['cli'])['cli run'];
    assert.deepEqual(run?.files, ['cli/plain-run.cjs'], 'files loaded by `run`');
    const builtins = run?.builtins.filter((name) => NOT_FOR_ONE_LOCK.includes(name));
    assert.deepEqual(builtins, [], 'built-in modules loaded by `run`');
  });

  it('`locksmith run` with the common options (-w, -E, -q, --lockfile) reads the same one file', () => {
    const options = ['-w', '5', '-E', '9', '-q', '--lockfile', path.join(tempDir(), 'other.lock')];
    const run = stagesOf(['cli', ...options])['cli run'];
    assert.deepEqual(run?.files, ['cli/plain-run.cjs'], 'files loaded by `run` with options');
  });
});
