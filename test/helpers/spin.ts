import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './tmp.js';

function found(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const compiler = ['cc', 'gcc', 'clang'].find(found);

/** Why the spin models cannot be checked here (to pass as a test's `skip`), or `undefined`. */
export const SPIN_SKIP = !found('spin')
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

/**
 * Generate, compile and run the spin verifier of `model/<file>` with `defines` (`-DN=2`...), in a fresh
 * temp folder; a safety search, at most 200 000 steps deep.
 */
export function runSpinModel(file: string, defines: string[], work = tempDir()): SpinResult {
  const model = fileURLToPath(new URL(`../../model/${file}`, import.meta.url));
  copyFileSync(model, path.join(work, file));
  const run = (command: string, args: string[]) =>
    execFileSync(command, args, { cwd: work, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 24 });
  run('spin', [...defines, '-a', file]);
  // -O0: compiling dominates for these small configurations.
  run(compiler!, ['-O0', '-DSAFETY', '-DCOLLAPSE', '-o', 'pan', 'pan.c']);
  const output = run(path.join(work, 'pan'), ['-m200000']);
  const errors = Number(/errors: (\d+)/.exec(output)?.[1] ?? Number.NaN);
  const states = Number(/(\d+) states, stored/.exec(output)?.[1] ?? Number.NaN);
  const depth = Number(/depth reached (\d+)/.exec(output)?.[1] ?? Number.NaN);
  return { errors, states, depth, output };
}
