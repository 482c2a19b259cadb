// Story 3: 10 concurrent `add` processes all land; duplicates and unknown feeds are errors; a corrupt
// file is reported with its line and column and left as it was.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../../test/helpers/tmp.js';

const FEEDS = fileURLToPath(new URL('feeds.js', import.meta.url));
const dir = tempDir();

async function feeds(
  file: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [FEEDS, ...args], {
      env: { ...process.env, FEEDS_FILE: file },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout: string; stderr: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('examples/feeds (story 3)', { timeout: 90_000 }, () => {
  it('10 concurrent add processes: all 10 feeds are there', async () => {
    const file = path.join(dir, 'concurrent', 'feeds.yaml');
    const urls = Array.from({ length: 10 }, (_, i) => `https://feed${i}.example/rss`);
    const results = await Promise.all(urls.map((url) => feeds(file, 'add', url)));
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const listed = (await feeds(file, 'list')).stdout.trim().split('\n').sort();
    assert.deepEqual(listed, [...urls].sort());
  });

  it('duplicate and not-found are errors that change nothing', async () => {
    const file = path.join(dir, 'errors', 'feeds.yaml');
    assert.equal((await feeds(file, 'add', 'https://a.example/rss', 'A')).code, 0);
    const before = readFileSync(file, 'utf8');

    const duplicate = await feeds(file, 'add', 'https://a.example/rss');
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /already subscribed: https:\/\/a\.example\/rss/);
    const missing = await feeds(file, 'remove', 'https://b.example/rss');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not subscribed: https:\/\/b\.example\/rss/);
    const notUpdated = await feeds(file, 'update', 'https://b.example/rss', 'B');
    assert.equal(notUpdated.code, 1);
    assert.equal(readFileSync(file, 'utf8'), before);

    assert.equal((await feeds(file, 'update', 'https://a.example/rss', 'Renamed')).code, 0);
    assert.equal((await feeds(file, 'list')).stdout, 'https://a.example/rss\tRenamed\n');
    assert.equal((await feeds(file, 'remove', 'https://a.example/rss')).code, 0);
    assert.equal((await feeds(file, 'list')).stdout, '');
  });

  it('a corrupt file: exit 1 with line and column, and the file is left as it was', async () => {
    const file = path.join(dir, 'corrupt.yaml');
    const text = 'feeds:\n  - url: https://a.example/rss\n    added: "2026-01-01\n';
    writeFileSync(file, text);
    const result = await feeds(file, 'add', 'https://b.example/rss');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /corrupt\.yaml:\d+:\d+: invalid YAML/);
    assert.equal(readFileSync(file, 'utf8'), text);
  });
});
