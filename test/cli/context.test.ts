// The process's outputs are made on first use: a `locksmith run` that writes nothing never builds
// process.stdout or process.stderr (a pipe's is a socket).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { processCli } from '../../src/cli/context.js';

const names = ['stdout', 'stderr'] as const;
const saved = names.map((name) => [name, Object.getOwnPropertyDescriptor(process, name)!] as const);

/** Count the reads of process.stdout and process.stderr (the streams themselves are unchanged). */
function countReads(): Record<(typeof names)[number], number> {
  const reads = { stdout: 0, stderr: 0 };
  for (const [name, descriptor] of saved) {
    Object.defineProperty(process, name, {
      ...descriptor,
      get() {
        reads[name]++;
        return descriptor.get ? descriptor.get.call(process) : descriptor.value;
      },
    });
  }
  return reads;
}

describe('processCli', { timeout: 10_000 }, () => {
  afterEach(() => {
    for (const [name, descriptor] of saved) Object.defineProperty(process, name, descriptor);
  });

  it('reads neither stream until an output is used, then only that one', () => {
    const reads = countReads();
    const cli = processCli();
    assert.deepEqual(reads, { stdout: 0, stderr: 0 }, 'read by processCli()');
    assert.equal(cli.stderr.isTTY, process.stderr.isTTY === true);
    assert.equal(reads.stdout, 0, 'stdout read when stderr was asked');
    cli.stdout.write('');
    assert.equal(reads.stdout, 1);
    assert.equal(typeof cli.stdout.colors, 'boolean');
  });
});
