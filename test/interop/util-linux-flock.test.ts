// util-linux flock(1), the shell's lock: `flock -x FILE command` and `flock -s FILE command`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect, type LockTimeoutError, lock } from '../../src/index.js';
import { holdWithFlock, killChildrenAfter, spawnChild, spawnCommand } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';
import { type Peer, peerSuite } from './peer-suite.js';

const probe = spawnSync('flock', ['--version'], { encoding: 'utf8' });
const unavailable =
  probe.status === 0
    ? undefined
    : `util-linux flock is not installed (${probe.error?.message ?? probe.stderr})`;

// Exit status 75 (EX_TEMPFAIL) marks "busy", so that a real failure of flock(1) is not taken for one.
const ATTEMPT =
  'if flock -n -E 75 "$1" "$0" true; then echo acquired; else s=$?; [ $s = 75 ] || exit $s; echo busy; fi';
const WAIT = `${ATTEMPT.replace('echo busy; fi', 'echo busy; flock -w 20 "$1" "$0" echo acquired; fi')}`;

function flockPeer(mode: 'exclusive' | 'shared'): Peer {
  const flag = mode === 'exclusive' ? '-x' : '-s';
  return {
    name: `util-linux flock ${flag}`,
    mode,
    // `cat` holds the lock (flock(1) keeps it until its command exits) until stdin closes.
    hold: (lockfile) =>
      spawnCommand('flock', ['-w', '20', flag, lockfile, 'sh', '-c', 'echo held; exec cat >/dev/null']),
    attempt: (lockfile) => spawnCommand('sh', ['-c', ATTEMPT, lockfile, flag]),
    waitFor: (lockfile) => spawnCommand('sh', ['-c', WAIT, lockfile, flag]),
  };
}

peerSuite(flockPeer('exclusive'), unavailable);
peerSuite(flockPeer('shared'), unavailable);

describe('a locksmith holder killed, then flock(1) takes the lock', {
  timeout: 30_000,
  skip: unavailable ?? false,
}, () => {
  killChildrenAfter();
  const dir = unavailable ? '' : tempDir('locksmith-interop-');

  it('inspect and LOCK_TIMEOUT name flock(1), not the dead locksmith process, as the holder', async () => {
    const file = path.join(dir, 'tasks.json');
    const child = spawnChild('lock-worker.ts');
    await child.next('ready');
    child.send({ type: 'lock', path: file });
    await child.next('locked');
    assert.equal((await inspect(file)).holder?.pid, child.pid);
    child.kill('SIGKILL');
    await child.exited;

    // flock(1) records nothing: the record left in the file by the dead process is not the holder's.
    const holder = await holdWithFlock(`${file}.lock`, 'exclusive');
    const status = await inspect(file);
    assert.equal(status.locked, true);
    assert.notEqual(status.holder?.pid, child.pid, `dead pid ${child.pid} reported as the holder`);
    assert.equal(status.holder?.pid, holder.pid, 'the kernel names flock(1)');
    assert.match(status.holder?.command ?? '', /^flock -x .*tasks\.json\.lock sh -c/);
    assert.equal(status.holder?.since, undefined);
    await assert.rejects(lock(file, { timeout: 20 }), (error: LockTimeoutError) => {
      assert.equal(error.code, 'LOCK_TIMEOUT');
      assert.equal(error.holder?.pid, holder.pid);
      assert.doesNotMatch(error.message, new RegExp(`pid ${child.pid}`));
      return true;
    });
    holder.end();
    assert.equal((await holder.exited).code, 0);
  });
});
