import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { BENCH_DIR } from '../lib/paths.js';
import type { ExternalSubject } from './subject.js';

/** Debian's python3-filelock lives in the system Python, which may not be the python3 first on PATH. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(BENCH_DIR, 'native', 'filelock_bench.py');
let version: string | undefined;

/** Python's filelock (a non-blocking flock(2) polled every 50 ms while waiting). */
export const pythonFilelock: ExternalSubject = {
  kind: 'external',
  id: 'python-filelock',
  label: 'Python filelock',
  mechanism: 'non-blocking flock(2), polls every 50 ms',
  tasks: ['uncontended', 'contended', 'hold', 'wait'],
  version: () => version,
  async probe() {
    try {
      version = execFileSync(PYTHON, ['-c', 'import filelock; print(filelock.__version__)'], {
        stdio: 'pipe',
        encoding: 'utf8',
      }).trim();
      return undefined;
    } catch {
      return `${PYTHON} cannot import filelock (apt-get install python3-filelock)`;
    }
  },
  command: (task, target, n) => ({ file: PYTHON, args: [SCRIPT, task, target, String(n)] }),
};
