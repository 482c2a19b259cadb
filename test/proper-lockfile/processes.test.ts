// The drop-in across processes, with the real proper-lockfile: mixed fleets on one counter, the
// stale-takeover race (bounded here; scripts/proper-lockfile-torture.ts runs ≥ 1 000 trials), crash
// recovery, the default onCompromised, and require() of the CommonJS build.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bundleRacer, Racer, staleRace } from '../../bench/lib/stale-race.js';
import { FIXTURES, spawnCommand } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = tempDir();
let bundle = '';
const racers: Racer[] = [];

before(async () => {
  bundle = await bundleRacer();
});
after(async () => {
  for (const r of racers) r.kill();
  await Promise.all(racers.map((r) => r.exited));
  rmSync(bundle, { force: true });
});

describe('proper-lockfile drop-in across processes', { timeout: 240_000 }, () => {
  it('mixed fleet: 3 proper-lockfile and 3 drop-in processes increment one counter, 0 lost updates', async () => {
    const file = path.join(dir, 'counter.json');
    writeFileSync(file, '{"count":0}');
    const fleet = [
      ...Array.from({ length: 3 }, () => new Racer(bundle, 'proper-lockfile')),
      ...Array.from({ length: 3 }, () => new Racer(bundle, 'drop-in')),
    ];
    racers.push(...fleet);
    await Promise.all(fleet.map((r) => r.next('ready')));
    for (const r of fleet) r.send({ type: 'count', file, n: 15, poll: 5 });
    const done = await Promise.all(fleet.map((r) => r.next<{ error?: string }>('counted', 180_000)));
    assert.deepEqual(
      done.map((d) => d.error),
      Array(6).fill(undefined),
    );
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).count, 90);
  });

  it('stale-takeover race: drop-in holders SIGKILLed, drop-in waiters never two at once, recovered before stale', async () => {
    const result = await staleRace({
      bundle,
      impl: 'drop-in',
      trials: 6,
      waiters: 3,
      dir: mkdtempSync(path.join(dir, 'race-')),
      stale: 10_000,
    });
    assert.equal(result.overlapped, 0);
    // proper-lockfile waits out `stale` (10 s here); the drop-in sees the dead holder's free flock.
    for (const ms of result.recovery) assert.ok(ms < 5_000, `recovered after ${ms} ms`);
  });

  it('the default onCompromised ends the process with an error naming the file and the cause', async () => {
    const file = path.join(dir, 'compromised.json');
    const child = spawnCommand(process.execPath, [
      '--import',
      'tsx',
      path.join(FIXTURES, 'proper-lockfile-compromised.ts'),
      file,
    ]);
    await child.line('locked', 60_000);
    rmdirSync(`${file}.lock`);
    const exit = await child.exited;
    assert.notEqual(exit.code, 0);
    const stderr = child.stderr();
    assert.match(stderr, /ECOMPROMISED/);
    assert.ok(stderr.includes(file), stderr);
    assert.match(stderr, /removed by someone else/);
  });

  it('require("locksmith/proper-lockfile"): the CommonJS build works from a .cjs file', () => {
    const out = path.join(root, '.build', `proper-lockfile-cjs-${process.pid}`);
    after(() => rmSync(out, { recursive: true, force: true }));
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build-proper-lockfile-cjs.js'), out]);
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const entry = manifest.exports['./proper-lockfile'];
    assert.equal(entry.require.default, './dist/proper-lockfile/index.cjs');
    assert.equal(entry.require.types, './dist/proper-lockfile/index.d.cts');
    assert.equal(entry.import.default, './dist/proper-lockfile/index.js');
    const file = path.join(dir, 'required.json');
    writeFileSync(file, '{}');
    const result = JSON.parse(
      execFileSync(
        process.execPath,
        [path.join(FIXTURES, 'proper-lockfile-require.cjs'), path.join(out, 'index.cjs'), file],
        {
          encoding: 'utf8',
          timeout: 60_000,
        },
      ),
    );
    assert.deepEqual(result, {
      type: 'function',
      functions: ['check', 'checkSync', 'lock', 'lockSync', 'unlock', 'unlockSync'],
      checked: true,
      busy: 'ELOCKED',
      checkedSync: true,
      unlocked: false,
    });
    assert.ok(readFileSync(path.join(out, 'index.d.cts'), 'utf8').includes('export = lockfile'));
  });
});
