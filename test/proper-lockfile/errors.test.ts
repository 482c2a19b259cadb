// Every code of the drop-in's errors is listed in docs/errors.md, and nothing more.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PROPER_LOCKFILE_CODES, ProperLockfileError } from '../../src/proper-lockfile/index.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const section = doc.slice(doc.indexOf('### The proper-lockfile drop-in'));
const documented = [...section.matchAll(/^- `([A-Z]+)`:/gm)].map((m) => m[1]);

describe('proper-lockfile drop-in: error codes and docs/errors.md', { timeout: 10_000 }, () => {
  it('documents exactly the codes the drop-in throws', () => {
    assert.deepEqual([...documented].sort(), [...PROPER_LOCKFILE_CODES].sort());
  });

  it('an error carries its code, the file and its cause', () => {
    const cause = new Error('EIO');
    const error = new ProperLockfileError('ECOMPROMISED', '/x/a.json', 'lost', { cause });
    assert.equal(error.code, 'ECOMPROMISED');
    assert.equal(error.file, '/x/a.json');
    assert.equal(error.cause, cause);
    assert.equal(error.name, 'ProperLockfileError');
    assert.ok(error instanceof Error);
  });
});
