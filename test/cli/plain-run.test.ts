// The plain `run` parser: the command lines it takes (without loading commander) are parsed as commander
// parses them; every other one is left to commander, which says what is wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT } from '../../src/cli/exit-codes.js';
import { plainRun } from '../../src/cli/plain-run.js';

describe('plainRun', { timeout: 10_000 }, () => {
  it('takes paths and a command, with the default conflict status', () => {
    assert.deepEqual(plainRun(['run', 'a', 'b', '--', 'make', '-j', '--', 'x']), {
      targets: ['a', 'b'],
      command: ['make', '-j', '--', 'x'],
      options: { conflictExitCode: EXIT.CONFLICT },
    });
  });

  it("takes run's options, short or long, before or between the paths", () => {
    assert.deepEqual(plainRun(['run', '-s', 'a', '--quiet', '-w', '2.5', '-E', '9', '--', 'true']), {
      targets: ['a'],
      command: ['true'],
      options: { conflictExitCode: 9, shared: true, quiet: true, timeout: 2.5 },
    });
    assert.deepEqual(
      plainRun(['run', '--nonblock', '--conflict-exit-code', '0', 'a', '--', 'true'])?.options,
      {
        conflictExitCode: 0,
        nonblock: true,
      },
    );
    assert.deepEqual(plainRun(['run', '--timeout', '.5', '-q', 'a', '--', 'true'])?.options, {
      conflictExitCode: EXIT.CONFLICT,
      quiet: true,
      timeout: 0.5,
    });
  });

  it('puts --lockfile files after the paths, in order, as commander does', () => {
    assert.deepEqual(plainRun(['run', '--lockfile', 'x.lock', 'a', '--lockfile', 'y.lock', '--', 'true']), {
      targets: ['a', { lockfilePath: 'x.lock' }, { lockfilePath: 'y.lock' }],
      command: ['true'],
      options: { conflictExitCode: EXIT.CONFLICT, lockfile: ['x.lock', 'y.lock'] },
    });
    assert.deepEqual(plainRun(['run', '--lockfile', 'x.lock', '--', 'true'])?.targets, [
      { lockfilePath: 'x.lock' },
    ]);
  });

  it('leaves to commander what it does not take, or what commander rejects', () => {
    const left = [
      ['status', 'a'],
      ['run', 'a', 'true'], // no "--"
      ['run', 'a', '--'], // no command
      ['run', '--', 'true'], // nothing to lock
      ['run', '-q', '--', 'true'],
      ['run', '--help', 'a', '--', 'true'],
      ['run', '-sn', 'a', '--', 'true'], // combined short options
      ['run', '--timeout=5', 'a', '--', 'true'],
      ['run', '-w', '5s', 'a', '--', 'true'], // not plain seconds
      ['run', '-w', '0x10', 'a', '--', 'true'],
      ['run', 'a', '-w', '--', 'true'], // no value before "--"
      ['run', '-E', '256', 'a', '--', 'true'],
      ['run', '--lockfile', '--', 'true'],
      ['run', '--lockfile', '-x', 'a', '--', 'true'],
      ['run', '-n', '-w', '1', 'a', '--', 'true'], // conflicting options
      ['run', '-', '--', 'true'], // a path starting with "-"
      ['run', '--verbose', 'a', '--', 'true'],
    ];
    for (const argv of left) assert.equal(plainRun(argv), undefined, argv.join(' '));
  });
});
