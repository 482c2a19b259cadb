// What `import('locksmith')` costs a short-lived process: none of the dependencies load at import (the FFI
// binding loads on the first lock, a store's parser when a store is first read, the CLI's parser only in
// the CLI), so that a later change cannot quietly put the cost back. The FFI binding is koffi's native
// module alone, not koffi's JavaScript loader (~10 ms), where its platform package is installed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FIXTURES } from './helpers/children.js';
import { tempDir } from './helpers/tmp.js';

interface Stage {
  stage: string;
  packages: string[];
  /** Our modules loaded so far, as paths under src/. */
  ours: string[];
  /** Native modules loaded so far, as paths under node_modules/. */
  natives: string[];
}

const KOFFI_NATIVE = /^@koromix\/koffi-[^/]+\/[^/]+\/koffi\.node$/;
// Where koffi has no prebuilt package of its own here, its loader finds the module another way.
const shortcut = existsSync(
  fileURLToPath(
    new URL(`../node_modules/@koromix/koffi-${process.platform}-${process.arch}`, import.meta.url),
  ),
);
const FFI = shortcut ? [] : ['koffi'];

function stagesOf(args: string[]): Record<string, Stage> {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(FIXTURES, 'import-footprint.ts'), tempDir(), ...args],
    { encoding: 'utf8', timeout: 50_000 },
  );
  const stages = output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Stage);
  return Object.fromEntries(stages.map((s) => [s.stage, s]));
}

/** The modules of `ours` that match any of `patterns` (there should be none). */
function loaded(ours: string[] | undefined, patterns: RegExp[]): string[] {
  assert.ok(ours && ours.length > 0, 'the stage was reported');
  return ours.filter((file) => patterns.some((pattern) => pattern.test(file)));
}

/** Code a kernel-only process never needs: the lease backend, the atomic writer, postgres, the drop-in. */
const NOT_FOR_KERNEL_LOCKS = [
  /^lock\/backends\/lease(-grant)?\.ts$/,
  /^lock\/backends\/lease\/(?!lazy\.ts$)/, // lazy.ts is the facade that loads the rest on first use
  /^fs\/write-file-atomic\.ts$/,
  /^postgres\/(?!errors\.ts$)/,
  /^proper-lockfile\//,
];

describe('import footprint', { timeout: 60_000 }, () => {
  it("import loads no dependency; the first lock loads koffi's native module only; a store loads its parser", () => {
    const all = stagesOf([]);
    const stages = Object.fromEntries(Object.entries(all).map(([name, s]) => [name, s.packages]));
    assert.deepEqual(stages.start, [], 'nothing before the import');
    assert.deepEqual(stages.import, [], 'no dependency is loaded by import');
    assert.deepEqual(all.import?.natives, [], 'no native module is loaded by import');
    assert.deepEqual(stages.lock, FFI, "the first lock loads no dependency's JavaScript (koffi's loader)");
    assert.equal(all.lock?.natives.length, 1, `native modules: ${all.lock?.natives.join(', ')}`);
    if (shortcut)
      assert.match(all.lock?.natives[0] ?? '', KOFFI_NATIVE, "the native module is koffi's prebuilt one");
    assert.deepEqual(
      stages.store?.sort(),
      ['jsonc-parser', ...FFI].sort(),
      'reading a JSON store loads its parser',
    );
  });

  it('import and a first kernel lock load none of the lease, atomic-write, postgres or drop-in code', () => {
    const stages = stagesOf([]);
    assert.deepEqual(loaded(stages.import?.ours, NOT_FOR_KERNEL_LOCKS), [], 'loaded by import');
    assert.deepEqual(loaded(stages.lock?.ours, NOT_FOR_KERNEL_LOCKS), [], 'loaded by the first lock');
  });

  it('import loads none of the store, check-out or Web Locks implementations, only their light facades', () => {
    const stages = stagesOf([]);
    // What the root needs synchronously: the facades (they check arguments at once and load the rest on
    // first use), the error classes users import, constants, and the small modules the facades check with.
    const facades = [
      /^store\/(errors|schema|store-lazy|store-settings)\.ts$/,
      /^checkout\/(constants|errors|inputs|registry-lazy|registry-options)\.ts$/,
      /^web-locks\/(errors|folder|lock|lock-manager|options)\.ts$/,
    ];
    const implementations = loaded(stages.import?.ours, [/^(store|checkout|web-locks)\//]).filter(
      (file) => !facades.some((pattern) => pattern.test(file)),
    );
    assert.deepEqual(implementations, [], 'loaded by import');
  });

  it('`locksmith run` loads only its command: not the public root, the store, check-outs or Web Locks', () => {
    const stages = stagesOf(['cli']);
    const notForRun = [
      /^index\.ts$/,
      /^store\//,
      /^checkout\/(?!constants\.ts$)/,
      /^web-locks\//,
      ...NOT_FOR_KERNEL_LOCKS,
    ];
    assert.deepEqual(loaded(stages['cli import']?.ours, notForRun), [], 'loaded by importing the CLI');
    assert.deepEqual(loaded(stages['cli run']?.ours, notForRun), [], 'loaded by `locksmith run`');
    // A plain `run <path> -- <command>` does not load the parser (commander) nor the other commands.
    assert.deepEqual(stages['cli import']?.packages, [], 'dependencies of importing the CLI');
    assert.deepEqual(stages['cli run']?.packages, FFI, 'dependencies of `locksmith run`');
    if (shortcut) assert.match(stages['cli run']?.natives[0] ?? '', KOFFI_NATIVE, "koffi's native module");
    assert.deepEqual(
      loaded(stages['cli run']?.ours, [/^cli\/(program|config|status|locks|checkout.*|checkin|break)\.ts$/]),
      [],
      'other commands',
    );
  });
});
