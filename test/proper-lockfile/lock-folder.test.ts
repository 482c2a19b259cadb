// The drop-in's lock folder: a check never takes a folder's flock while another attempt holds the guard
// (the parent folder's flock), since that attempt may be flocking the folder it has just made.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkSync } from '../../src/proper-lockfile/index.js';
import { holdWithFlock, killChildrenAfter } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

killChildrenAfter();

describe('proper-lockfile drop-in: lock folder', {
  timeout: 20_000,
  skip: process.platform === 'win32',
}, () => {
  it('check answers by age, not by the flock, while another attempt holds the guard', async () => {
    const dir = tempDir('locksmith-plf-folder-');
    const file = path.join(dir, 'data.json');
    writeFileSync(file, '{}');
    // A fresh folder marked by a drop-in holder that has since died: nobody holds its flock.
    mkdirSync(`${file}.lock`);
    chmodSync(`${file}.lock`, 0o1755);
    assert.equal(checkSync(file), false, 'a marked folder with a free flock has lost its holder');
    // Another process is in the middle of an attempt (flock(1) holds the parent folder, the guard).
    const attempt = await holdWithFlock(dir);
    try {
      assert.equal(checkSync(file), true, 'a fresh folder, judged by its age while the guard is busy');
    } finally {
      attempt.end();
      await attempt.exited;
    }
    assert.equal(checkSync(file), false, 'judged by the flock again once the guard is free');
  });
});
