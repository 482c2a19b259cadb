// The Web Locks example as it runs: two participants and the demo, three processes sharing a folder.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../../test/helpers/tmp.js';

describe('examples/web-locks', { timeout: 60_000 }, () => {
  it('query across processes, ifAvailable, steal ahead of a waiter, a killed holder released', async () => {
    const demo = fileURLToPath(new URL('demo.js', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [demo, tempDir('locksmith-web-locks-demo-')],
      {
        timeout: 55_000,
      },
    );
    // Three processes print to one pipe: only the order within each process is certain.
    const demoLines = [
      'query() from a third process:',
      '  held:    report (exclusive) by alice',
      '  pending: report (exclusive) by bob',
      'demo: ifAvailable -> null, report is busy',
      'demo: stole report, ahead of bob',
      'while the demo holds the stolen lock:',
      '  held:    report (exclusive) by demo',
      '  pending: report (exclusive) by bob',
      'demo: holds journal, freed by the kernel when alice died',
      'after alice was killed (her entries are gone):',
      '  held:    nothing',
      '  pending: nothing',
    ];
    const aliceLines = [
      'alice: holds report (exclusive)',
      'alice: lost report: AbortError (the callback goes on until it ends)',
      'alice: my report callback ends',
      'alice: holds journal (exclusive)',
    ];
    const bobLines = [
      'bob: holds report (exclusive)',
      'bob: my report callback ends',
      'bob: released report',
    ];
    const lines = stdout.split('\n');
    for (const expected of [demoLines, aliceLines, bobLines]) {
      let at = -1;
      for (const line of expected) {
        const found = lines.indexOf(line, at + 1);
        assert.ok(found > at, `"${line}" after line ${at} in\n${stdout}`);
        at = found;
      }
    }
    assert.ok(!stdout.includes('alice: released report'), 'a robbed request does not resolve');
    assert.ok(!stdout.includes('bob: lost'), 'the waiter is not robbed');
  });
});
