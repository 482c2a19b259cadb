import { execFileSync } from 'node:child_process';
import type { ExternalSubject } from './subject.js';

/**
 * util-linux flock(1), spawned once per acquisition, as a shell script or a Makefile locks. Only in the
 * one-shot figures (burst, start-up): it is a command, not a library a process keeps using.
 */
export const flockCli: ExternalSubject = {
  kind: 'external',
  id: 'flock-cli',
  label: 'flock(1) (util-linux)',
  mechanism: 'the flock command: blocking flock(2), one process per acquisition',
  tasks: [],
  figures: ['burst', 'startup'],
  version: () => {
    try {
      return /(\d+\.\d+(\.\d+)?)/.exec(execFileSync('flock', ['--version'], { encoding: 'utf8' }))?.[1];
    } catch {
      return undefined;
    }
  },
  async probe() {
    try {
      execFileSync('flock', ['--version'], { stdio: 'ignore' });
      return undefined;
    } catch {
      return 'util-linux flock(1) is not installed';
    }
  },
  // Holds for N ms (sleep is a separate process: its start is part of what a shell script pays).
  command: (_task, target, n) => ({
    file: 'flock',
    args: [`${target}.lock`, 'sleep', String(n / 1000)],
  }),
};
