// Story 4: the config files are locked only while the config module asks and writes — a second
// instance waits during that brief window, and not during the first one's slow work.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { killChildrenAfter, spawnCommand } from '../../test/helpers/children.js';
import { tempDir } from '../../test/helpers/tmp.js';
// @ts-expect-error: the example is plain JavaScript, without type declarations.
import { loadConfig } from './config.js';

killChildrenAfter();

const LAUNCHER = fileURLToPath(new URL('launcher.js', import.meta.url));
const root = tempDir();

function launcher(home: string, pullMs: number) {
  return spawnCommand(process.execPath, [
    LAUNCHER,
    '--home',
    home,
    '--project',
    'demo',
    '--pull-ms',
    String(pullMs),
  ]);
}

describe('examples/launcher-config (story 4)', { timeout: 90_000 }, () => {
  it('a second instance is blocked while the first asks, and not while it pulls', async () => {
    const home = path.join(root, 'two-instances');
    const first = launcher(home, 10 * 60_000); // its slow work never ends by itself
    await first.line(/^Which base image for demo\? \(debian:12, alpine:3, ubuntu:24\.04\)$/, 60_000);

    // The first instance holds the files while it waits for an answer: the second one waits too.
    const second = launcher(home, 0);
    await second.line(`waiting for the config lock (held by pid ${first.pid})`, 60_000);

    first.process.stdin!.write('alpine:3\n');
    await first.line('config ready: image=alpine:3 mounts=');
    await first.line('pulling alpine:3...');

    // The files are unlocked: the second instance gets the saved answer (no question) and runs to the
    // end while the first is still pulling.
    await second.line('config ready: image=alpine:3 mounts=', 60_000);
    await second.line('docker run --rm alpine:3');
    assert.deepEqual(await second.exited, { code: 0, signal: null });
    assert.equal(first.process.exitCode, null, 'the first instance should still be pulling');
    assert.equal(first.process.signalCode, null);
    first.kill();

    assert.equal(readFileSync(path.join(home, 'projects', 'demo.yaml'), 'utf8'), 'image: alpine:3\n');
  });

  it('loadConfig returns a read-only config and asks only what is missing', async () => {
    const home = path.join(root, 'direct');
    const questions: string[] = [];
    const options = {
      home,
      project: 'web',
      knownImages: () => ['debian:12'],
      ask: async (question: string, choices: readonly string[]) => {
        questions.push(`${question} ${choices.join('|')}`);
        return 'node:22';
      },
    };
    const config = await loadConfig(options);
    assert.deepEqual(config, { project: 'web', image: 'node:22', mounts: [] });
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.mounts));
    assert.throws(() => {
      config.image = 'other';
    }, TypeError);
    assert.deepEqual(questions, ['Which base image for web? debian:12']);
    // The answer was saved, and the new image added to the global list: no question the second time.
    assert.equal((await loadConfig(options)).image, 'node:22');
    assert.equal(questions.length, 1);
    assert.match(readFileSync(path.join(home, 'config.yaml'), 'utf8'), /- debian:12\n\s+- node:22\n/);
  });

  it('an unanswered question writes nothing and unlocks', async () => {
    const home = path.join(root, 'unanswered');
    const first = launcher(home, 0);
    await first.line(/^Which base image/, 60_000);
    first.end();
    assert.equal((await first.exited).code, 1);
    assert.match(first.stderr(), /launcher: no answer on stdin/);
    assert.throws(() => readFileSync(path.join(home, 'projects', 'demo.yaml')), { code: 'ENOENT' });
  });
});
