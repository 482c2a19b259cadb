// Issue 17 row 7 (Web Locks): more requests held at once than the process has descriptors. The manager
// grants what it can, fails the rest with a typed error, and works normally once locks are released.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, spawnCommand } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

const posix = process.platform !== 'win32';

describe('Web Locks out of descriptors', { timeout: 90_000 }, () => {
  const root = tempDir('locksmith-web-locks-fd-');

  it('1 100 requests at ulimit -n 1024: grants what it can, fails the rest with LOCK_IO (EMFILE), then works', {
    skip: posix ? false : 'ulimit is a POSIX shell builtin',
  }, async () => {
    const fixture = path.join(FIXTURES, 'web-locks-descriptors.ts');
    const node = `exec '${process.execPath}' --import tsx '${fixture}' '${path.join(root, 'locks')}' 1100`;
    const child = spawnCommand('sh', ['-c', `ulimit -n 1024 && ${node}`]);
    const lines: Record<string, unknown>[] = [];
    for (const pattern of [/"round":1/, /"after"/, /"round":2/]) {
      const line = await child.line(pattern, 60_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${child.stderr()}`);
      });
      lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    const [first, after, second] = lines as [
      { granted: number; failed: Record<string, number>; settledOrHeld: number },
      { after: string },
      { granted: number; failed: Record<string, number>; settledOrHeld: number },
    ];
    for (const wave of [first, second]) {
      assert.equal(wave.settledOrHeld, 1100, 'some requests neither granted nor failed (hung)');
      // About 1 024 descriptors, minus the ones Node, the registry and the watches use.
      assert.ok(wave.granted >= 900, `only ${wave.granted} of 1 100 granted`);
      assert.ok(wave.granted < 1100, 'more locks held than descriptors: the test does not exhaust them');
      assert.deepEqual(Object.keys(wave.failed), ['LockIOError:LOCK_IO:EMFILE'], JSON.stringify(wave.failed));
    }
    assert.equal(after.after, 'granted');
    assert.ok(
      Math.abs(first.granted - second.granted) <= 8,
      `${first.granted} then ${second.granted} granted`,
    );
    assert.deepEqual(await child.exited, { code: 0, signal: null }, child.stderr());
  });
});
