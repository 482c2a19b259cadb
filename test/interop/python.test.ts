// Python: the filelock package (Debian's python3-filelock, exclusive only; it opens the lock file with
// O_TRUNC) and fcntl.flock called directly, exclusive and shared. Both run under /usr/bin/python3.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { FIXTURES, spawnCommand } from '../helpers/children.js';
import { type Peer, peerSuite } from './peer-suite.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(FIXTURES, 'py-lock.py');

function missing(module: string, hint: string): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', `import ${module}`], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  return `${PYTHON} cannot import ${module} (${(probe.error?.message ?? probe.stderr).trim()}); ${hint}`;
}

function pythonPeer(kind: 'filelock' | 'flock-ex' | 'flock-sh', name: string): Peer {
  const run = (action: string, lockfile: string) => spawnCommand(PYTHON, [SCRIPT, kind, action, lockfile]);
  return {
    name,
    mode: kind === 'flock-sh' ? 'shared' : 'exclusive',
    truncates: kind === 'filelock',
    hold: (lockfile) => run('hold', lockfile),
    attempt: (lockfile) => run('try', lockfile),
    waitFor: (lockfile) => run('wait', lockfile),
  };
}

peerSuite(
  pythonPeer('filelock', "Python's filelock"),
  missing('filelock', 'install python3-filelock (.ci/run does)'),
);
const noPython = missing('fcntl', 'install python3');
peerSuite(pythonPeer('flock-ex', 'Python fcntl.flock(LOCK_EX)'), noPython);
peerSuite(pythonPeer('flock-sh', 'Python fcntl.flock(LOCK_SH)'), noPython);
