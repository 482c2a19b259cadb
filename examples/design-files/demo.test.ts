// Story 2 as the example runs it: each person a separate process, sharing only the folder.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../../test/helpers/tmp.js';

describe('examples/design-files', { timeout: 90_000 }, () => {
  it('check-out, refusal naming the holder, listing, check-in, break with audit, read-only files', async () => {
    const folder = tempDir('locksmith-design-files-');
    const demo = fileURLToPath(new URL('demo.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [demo, folder], { timeout: 85_000 });
    const lines = stdout.split('\n');
    const has = (pattern: RegExp) =>
      assert.ok(
        lines.some((l) => pattern.test(l)),
        `${pattern} in\n${stdout}`,
      );

    has(/read-only until checked out: bracket\.mcam, gear\.mcam, housing\.mcam/);
    has(/^alice: checked out bracket\.mcam \("moving the mounting holes"\)$/);
    has(/^bracket\.mcam is now writable/);
    has(
      /^bob: refused \(CHECKOUT_CONFLICT\): bracket\.mcam is checked out by alice@cad-1 since \S+: "moving the mounting holes"$/,
    );
    has(/^bob: refused \(CHECKOUT_NOT_HOLDER\): bob@cad-2 cannot check in bracket\.mcam/);
    has(/^ {2}bracket\.mcam +1200 B +\S+ +checked-out +alice@cad-1 +\S+ +moving the mounting holes$/);
    has(/^ {2}gear\.mcam +800 B +\S+ +available$/);
    has(/^housing\.mcam is read-only again$/);
    has(/^carol: broke alice's check-out of bracket\.mcam \("alice is on holiday until Monday"\)$/);
    has(/^bracket\.mcam is read-only after the break$/);
    has(/^bracket\.mcam is writable for bob$/);
    has(/break +carol@admin broke alice@cad-1's bracket\.mcam — reason: alice is on holiday until Monday$/);
    assert.ok(!/README/.test(stdout), 'only *.mcam files are listed');

    // What the demo printed is what the folder holds.
    const registry = JSON.parse(readFileSync(path.join(folder, '.locksmith', 'checkouts.json'), 'utf8'));
    assert.deepEqual(Object.keys(registry.checkouts), ['bracket.mcam']);
    assert.equal(registry.checkouts['bracket.mcam'].owner, 'bob@cad-2');
    const audit = readFileSync(path.join(folder, '.locksmith', 'audit.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    assert.deepEqual(
      audit.map((line) => JSON.parse(line).event),
      ['checkout', 'checkout', 'checkin', 'break', 'checkout'],
    );
    assert.equal(statSync(path.join(folder, 'gear.mcam')).mode & 0o222, 0);
  });
});
