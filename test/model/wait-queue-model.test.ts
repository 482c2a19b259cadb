// Model-checks the kernel backend's wait queue (model/wait-queue.pml) with spin when spin and a C compiler
// are installed: no wake-up is lost (a poll is never what ends a stall unless a process crashed), and the
// check does find the lost wake-ups of two wrong orders, so it is not a check that cannot fail.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';

const MODEL = fileURLToPath(new URL('../../model/wait-queue.pml', import.meta.url));

function found(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const compiler = ['cc', 'gcc', 'clang'].find(found);
const skip = !found('spin')
  ? 'spin is not installed (Debian: apt-get install spin)'
  : !compiler
    ? 'no C compiler to build the spin verifier'
    : undefined;

function verify(defines: string[]): { errors: number; states: number; output: string } {
  const work = tempDir();
  copyFileSync(MODEL, path.join(work, 'wait-queue.pml'));
  const run = (file: string, args: string[]) =>
    execFileSync(file, args, { cwd: work, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 24 });
  run('spin', [...defines, '-a', 'wait-queue.pml']);
  run(compiler!, ['-O0', '-DSAFETY', '-DCOLLAPSE', '-o', 'pan', 'pan.c']);
  const output = run(path.join(work, 'pan'), ['-m200000']);
  const errors = Number(/errors: (\d+)/.exec(output)?.[1] ?? Number.NaN);
  const states = Number(/(\d+) states, stored/.exec(output)?.[1] ?? Number.NaN);
  return { errors, states, output };
}

describe('the wait queue model (spin)', { timeout: 240_000 }, () => {
  for (const defines of [
    ['-DN=2', '-DROUNDS=2'],
    ['-DN=2', '-DROUNDS=2', '-DCRASHES=1'],
    ['-DN=3', '-DROUNDS=1', '-DCRASHES=1'],
  ]) {
    it(`no lost wake-up, mutual exclusion (${defines.join(' ')})`, { skip }, (t) => {
      const result = verify(defines);
      t.diagnostic(`${result.states} states, ${result.errors} errors`);
      assert.equal(result.errors, 0, result.output);
      assert.match(result.output, /Full statespace search/);
      assert.ok(result.states > 10_000, 'the search explored the interleavings');
    });
  }

  for (const mutant of ['-DTRY_BEFORE_TICKET', '-DWAKE_BEFORE_UNLOCK']) {
    it(`finds the lost wake-up of a wrong order (${mutant})`, { skip }, () => {
      const result = verify([mutant, '-DN=2', '-DROUNDS=2']);
      assert.ok(result.errors >= 1, result.output);
      assert.match(result.output, /assertion violated \(crashed>0\)/);
    });
  }
});
