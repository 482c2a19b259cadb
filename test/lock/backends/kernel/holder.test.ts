// A holder that records nothing is named from Linux's /proc/locks, but only when the process the kernel
// lists (the one that *took* the lock) is alive and still has the lock file open: it may have exited or
// closed its descriptor, leaving the lock to a child, and its pid may belong to someone else by now.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from '../../../../src/index.js';
import { holdWithFlock, killChildrenAfter, spawnCommand } from '../../../helpers/children.js';
import { tempDir } from '../../../helpers/tmp.js';

const PYTHON = '/usr/bin/python3';
const noFlock = spawnSync('flock', ['--version']).status === 0 ? undefined : 'util-linux flock is missing';
const skip =
  process.platform !== 'linux' ? 'the kernel names holders through /proc/locks on Linux only' : noFlock;

// The parent takes the lock, forks a child that shares it, and closes its own descriptor; it stays alive.
const FORK_AND_CLOSE = `
import fcntl, os, sys
f = open(sys.argv[1], 'w')
fcntl.flock(f, fcntl.LOCK_EX)
child = os.fork()
if child == 0:
    print('held', flush=True)
    sys.stdin.read()
    os._exit(0)
f.close()
os.waitpid(child, 0)
`;

describe('naming a holder that recorded nothing', { timeout: 30_000, skip: skip ?? false }, () => {
  killChildrenAfter();
  const dir = skip ? '' : tempDir('locksmith-kernel-holder-');

  it('names flock(1) with its pid, command and mode, and no time', async () => {
    const file = path.join(dir, 'named.json');
    const holder = await holdWithFlock(`${file}.lock`, 'shared');
    const status = await inspect(file);
    assert.equal(status.locked, true);
    assert.deepEqual(status.holder, {
      pid: holder.pid,
      hostname: os.hostname(),
      command: `flock -s ${file}.lock sh -c echo held; exec cat >/dev/null`,
      mode: 'shared',
    });
    holder.end();
    await holder.exited;
  });

  it('names nobody when the process that took the lock has exited (a shell: exec 9>f; flock 9)', async () => {
    const file = path.join(dir, 'exited.json');
    const shell = spawnCommand('sh', [
      '-c',
      'exec 9>"$0"; flock -x 9; echo held; exec cat >/dev/null',
      `${file}.lock`,
    ]);
    await shell.line('held');
    const status = await inspect(file);
    assert.equal(status.locked, true, 'the shell holds it through descriptor 9');
    assert.equal(status.holder, undefined, 'the exited flock command is not named');
    shell.end();
    await shell.exited;
  });

  it('names nobody when that process lives on without the lock file open', async () => {
    const file = path.join(dir, 'closed.json');
    const parent = spawnCommand(PYTHON, ['-c', FORK_AND_CLOSE, `${file}.lock`]);
    await parent.line('held');
    const status = await inspect(file);
    assert.equal(status.locked, true, 'the forked child holds it');
    assert.equal(status.holder, undefined, `pid ${parent.pid} took the lock but no longer has the file`);
    parent.end();
    await parent.exited;
  });
});
