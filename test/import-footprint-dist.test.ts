// What the built package (dist/, as scripts/bundle-dist.js bundles it) loads in a short-lived process:
// Node's ES module loader costs about a millisecond of CPU per file, so `import('locksmith')` and
// `locksmith run` each read a few files, and a first uncontended lock reads none more. Needs dist/ built
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

function stagesOf(args: string[]): Record<string, string[]> {
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
    .map((line) => JSON.parse(line) as { stage: string; files: string[] });
  return Object.fromEntries(stages.map((s) => [s.stage, s.files]));
}

/** The files of `later` that `earlier` had not loaded. */
function added(earlier: string[] | undefined, later: string[] | undefined): string[] {
  return (later ?? []).filter((file) => !earlier?.includes(file));
}

describe('import footprint of the built package', {
  timeout: 60_000,
  skip: !built && 'dist/ is not built',
}, () => {
  it('import reads the root and two chunks; a first lock reads no other file', () => {
    const stages = stagesOf([]);
    assert.ok(stages.import?.includes('index.js'), 'the root was loaded');
    assert.equal(stages.import?.length, 3, `files loaded by import: ${stages.import?.join(', ')}`);
    assert.deepEqual(added(stages.import, stages.lock), [], 'files loaded by the first lock');
  });

  it('`locksmith run` reads its entry and two chunks, sharing only the lock core with the root', () => {
    const cli = stagesOf(['cli']);
    const root = stagesOf([]).import ?? [];
    assert.ok(cli['cli import']?.includes('cli/main.js'), 'the CLI was loaded');
    assert.equal(cli['cli import']?.length, 3, `files loaded: ${cli['cli import']?.join(', ')}`);
    assert.deepEqual(added(cli['cli import'], cli['cli run']), [], 'files loaded by `run`');
    const shared = cli['cli run']?.filter((file) => root.includes(file));
    assert.equal(shared?.length, 1, `files the root's import also loads: ${shared?.join(', ')}`);
  });
});
