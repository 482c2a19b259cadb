import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, WORK_DIR } from '../lib/paths.js';
import type { ExternalSubject } from './subject.js';

const SOURCE = path.join(BENCH_DIR, 'native', 'flock-bench.c');
const BINARY = path.join(WORK_DIR, 'flock-bench');

/** The physical limit: blocking flock(2) from a small C program, compiled with the machine's cc. */
export const cFlock: ExternalSubject = {
  kind: 'external',
  id: 'c',
  label: 'C, blocking flock(2)',
  mechanism: 'blocking flock(2), one descriptor, no open per lock',
  tasks: ['uncontended', 'contended', 'hold', 'wait'],
  version: () => undefined,
  async probe() {
    if (process.platform === 'win32') return 'flock(2) is POSIX';
    try {
      mkdirSync(WORK_DIR, { recursive: true });
      execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', BINARY, SOURCE], { stdio: 'pipe' });
      return undefined;
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      return `cannot compile bench/native/flock-bench.c with cc: ${stderr || (error as Error).message}`;
    }
  },
  command: (task, target, n) => ({ file: BINARY, args: [task, target, String(n)] }),
};
