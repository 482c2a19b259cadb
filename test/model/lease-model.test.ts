// Model-checks the lease protocol (model/lease.pml) with spin when spin and a C compiler are installed:
// mutual exclusion with crashes holds for the real protocol, and the check does find the violation in the
// naive "remove whatever marker is there" takeover, so it is not a check that cannot fail.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';

const MODEL = fileURLToPath(new URL('../../model/lease.pml', import.meta.url));

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

export interface SpinResult {
  errors: number;
  states: number;
  depth: number;
  output: string;
}

/** Generate, compile and run the verifier for one configuration of the model. */
export function verify(defines: string[], work = tempDir()): SpinResult {
  const model = path.join(work, 'lease.pml');
  copyFileSync(MODEL, model);
  const run = (file: string, args: string[]) =>
    execFileSync(file, args, { cwd: work, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 24 });
  run('spin', [...defines, '-a', 'lease.pml']);
  // -O0: compiling dominates for these small configurations.
  run(compiler!, ['-O0', '-DSAFETY', '-DCOLLAPSE', '-o', 'pan', 'pan.c']);
  const output = run(path.join(work, 'pan'), ['-m200000']);
  const errors = Number(/errors: (\d+)/.exec(output)?.[1] ?? Number.NaN);
  const states = Number(/(\d+) states, stored/.exec(output)?.[1] ?? Number.NaN);
  const depth = Number(/depth reached (\d+)/.exec(output)?.[1] ?? Number.NaN);
  return { errors, states, depth, output };
}

describe('the lease protocol model (spin)', { timeout: 120_000 }, () => {
  for (const defines of [
    ['-DN=2', '-DINC=2', '-DROUNDS=2'],
    ['-DN=3', '-DINC=1', '-DROUNDS=1'],
  ]) {
    it(`mutual exclusion with crashes holds (${defines.join(' ')})`, { skip }, (t) => {
      const result = verify(defines);
      t.diagnostic(`${result.states} states, depth ${result.depth}, ${result.errors} errors`);
      assert.equal(result.errors, 0, result.output);
      assert.match(result.output, /Full statespace search/);
      assert.ok(result.states > 1000, 'the search explored the interleavings');
    });
  }

  it('finds two holders in the naive takeover (remove whatever is there)', { skip }, () => {
    const result = verify(['-DNAIVE', '-DN=2', '-DINC=2', '-DROUNDS=1']);
    assert.ok(result.errors >= 1, result.output);
    assert.match(result.output, /assertion violated \(inside==1\)/);
  });
});
