// `npm run demo`, as the README promises: the locked run loses nothing. (The unlocked run usually loses
// updates, but nothing guarantees a race, so only the locked result is asserted.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

describe('npm run demo', { timeout: 60_000 }, () => {
  it('8 processes, 1 000 increments with locksmith: none lost', async () => {
    const demo = fileURLToPath(new URL('demo.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [demo], { timeout: 55_000 });
    assert.match(stdout, /with locksmith: +counter = 1000 +-> 0 updates lost, 0 torn reads/);
    // Unlocked, updates get lost, or two writers interleave and leave the file corrupt for good.
    assert.match(stdout, /without a lock: +(counter = +\d+|counter.json left corrupt)/);
  });
});
