// util-linux flock(1), the shell's lock: `flock -x FILE command` and `flock -s FILE command`.
import { spawnSync } from 'node:child_process';
import { spawnCommand } from '../helpers/children.js';
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
