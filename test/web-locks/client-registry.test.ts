// The query registry on its own: two registries in one folder stand for two clients.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { threadId } from 'node:worker_threads';
import { kernelBackend } from '../../src/lock/backends/select.js';
import { Registry, WebLocksRegistryError } from '../../src/web-locks/client-registry.js';
import { tempDir } from '../helpers/tmp.js';

const ME = `node-${process.pid}-${threadId}`;

describe('the Web Locks query registry', { timeout: 20_000 }, () => {
  const root = tempDir('locksmith-web-locks-registry-');
  let n = 0;
  const folder = () => path.join(root, `r${++n}`);

  it('shows another client its pending, held and finished requests, long and odd names included', async () => {
    const dir = folder();
    const writer = new Registry(dir, kernelBackend());
    const reader = new Registry(dir, kernelBackend());
    mkdirSync(dir);
    assert.deepEqual(await reader.others(), []);
    const long = `é${'x'.repeat(1_000)}"\n\uD800`;
    writer.pending(1, { name: 'a', mode: 'exclusive' }, 1000.5);
    writer.held(2, { name: long, mode: 'shared' }, 2000);
    writer.pending(3, { name: 'c', mode: 'shared' }, 3000);
    const seen = (await reader.others()).sort((x, y) => x.seq - y.seq);
    assert.deepEqual(seen, [
      { name: 'a', mode: 'exclusive', clientId: ME, state: 'pending', since: 1000.5, seq: 1 },
      { name: long, mode: 'shared', clientId: ME, state: 'held', since: 2000, seq: 2 },
      { name: 'c', mode: 'shared', clientId: ME, state: 'pending', since: 3000, seq: 3 },
    ]);
    writer.held(1, { name: 'a', mode: 'exclusive' }, 4000);
    writer.gone(2);
    writer.gone(3);
    assert.deepEqual(await reader.others(), [
      { name: 'a', mode: 'exclusive', clientId: ME, state: 'held', since: 4000, seq: 1 },
    ]);
    assert.equal(
      readdirSync(dir).filter((f) => f.endsWith('.name')).length,
      0,
      'the long name file is removed',
    );
    // Freed slots are reused: the file does not grow with every request.
    const slots = readdirSync(dir).find((f) => f.endsWith('.slots'))!;
    for (let i = 10; i < 100; i++) {
      writer.held(i, { name: 'x', mode: 'exclusive' }, i);
      writer.gone(i);
    }
    assert.ok(readFileSync(path.join(dir, slots)).length <= 3 * 256);
  });

  it('removes the files of a dead client, known by its free liveness lock, not by its pid', async () => {
    const dir = folder();
    mkdirSync(dir);
    const reader = new Registry(dir, kernelBackend());
    const live = new Registry(dir, kernelBackend());
    live.held(1, { name: 'mine', mode: 'exclusive' }, 1);
    // A client that died: its files are there, nobody holds its lock. Its pid is ours (as if reused).
    const dead = `${process.pid}-${threadId}-0123456789ab`;
    writeFileSync(path.join(dir, `${dead}.lock`), '');
    writeFileSync(
      path.join(dir, `${dead}.slots`),
      readFileSync(path.join(dir, readdirSync(dir).find((f) => f.endsWith('.slots'))!)),
    );
    writeFileSync(path.join(dir, `${dead}.7.name`), '"long"');
    const seen = await reader.others();
    assert.deepEqual(
      seen.map((e) => e.name),
      ['mine'],
    );
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith(dead)),
      [],
    );
  });

  it('re-reads a slot caught mid-write, and fails loudly on a slot that is not a request', async () => {
    const dir = folder();
    mkdirSync(dir);
    const reader = new Registry(dir, kernelBackend());
    const writer = new Registry(dir, kernelBackend());
    writer.held(1, { name: 'a', mode: 'exclusive' }, 1);
    const slots = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.slots'))!);
    const good = readFileSync(slots);
    // A torn slot (checksum does not match) is skipped once re-reading does not fix it.
    const torn = Buffer.from(good);
    torn.write('"b"', good.indexOf('"a"'));
    writeFileSync(slots, torn);
    assert.deepEqual(await reader.others(), []);
    // A checksummed slot that is not a request is someone else's file: an error, not an empty answer.
    const json = '{"hello":1}';
    let hash = 0x811c9dc5;
    for (let i = 0; i < json.length; i++) hash = Math.imul(hash ^ json.charCodeAt(i), 0x01000193);
    const record = Buffer.alloc(256, ' ');
    record.write(`${(hash >>> 0).toString(16).padStart(8, '0')} ${json}`);
    record[255] = 0x0a;
    writeFileSync(slots, record);
    await assert.rejects(reader.others(), (error) => {
      assert.ok(error instanceof WebLocksRegistryError);
      assert.equal(error.code, 'WEB_LOCKS_REGISTRY');
      return true;
    });
    writeFileSync(slots, good);
    assert.equal((await reader.others()).length, 1);
    assert.ok(existsSync(slots));
  });
});
