import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../src/index.js';
import { type Child, killChildrenAfter, spawnChild, waitFor } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

killChildrenAfter();

const root = tempDir();

/** The file must always hold a whole, valid counter. */
function readCounter(file: string): number {
  const value = JSON.parse(readFileSync(file, 'utf8')) as { count: unknown };
  assert.ok(Number.isInteger(value.count), `invalid content: ${JSON.stringify(value)}`);
  return value.count as number;
}

async function startWorkers(count: number): Promise<Child[]> {
  const children = Array.from({ length: count }, () => spawnChild('store-worker.ts'));
  await Promise.all(children.map((c) => c.next('ready', 60_000)));
  return children;
}

describe('store updates across processes', { timeout: 240_000 }, () => {
  it('16 processes × 50 updates → exactly 800, and a parallel reader never sees invalid content', async () => {
    const dir = path.join(root, 'sixteen');
    mkdirSync(dir);
    const file = path.join(dir, 'counter.json');
    const workers = await startWorkers(16);

    let reads = 0;
    let last = 0;
    let stop = false;
    const store = openStore<{ count: number }>(file, { defaults: { count: 0 } });
    const reader = (async () => {
      while (!stop) {
        const { count } = await store.read(); // throws on a torn or invalid file
        assert.ok(Number.isInteger(count));
        assert.ok(count >= last, `count went back from ${last} to ${count}`);
        last = count;
        reads++;
        // Pace the reader (about a thousand reads a second) so that it does not starve the writers of CPU.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();

    // durable: false — this is about lost updates and torn reads, which fsync has no part in (the kill
    // test below runs the default, durable path).
    for (const worker of workers) {
      worker.send({ type: 'increments', file, times: 50, options: { durable: false } });
    }
    await Promise.all(workers.map((w) => w.next('increments:done', 100_000)));
    stop = true;
    await reader;
    assert.equal(readCounter(file), 800);
    assert.ok(reads > 0);
    assert.deepEqual(readdirSync(dir).sort(), ['counter.json', 'counter.json.lock']);
  });

  it('writers SIGKILLed at random moments: the file always parses and holds every acknowledged update', async () => {
    const dir = path.join(root, 'killed');
    mkdirSync(dir);
    const file = path.join(dir, 'counter.json');
    let acked = 0;
    let maxAcked = 0;
    const all: Child[] = [];
    const start = (child: Child) => {
      all.push(child);
      child.process.on('message', (raw) => {
        const message = raw as { type: string; count?: number };
        if (message.type !== 'ack') return;
        acked++;
        maxAcked = Math.max(maxAcked, message.count!);
      });
      child.send({ type: 'increments', file, times: 1_000_000 });
      return child;
    };
    const writers = (await startWorkers(3)).map(start);
    const kills = 6;
    for (let round = 0; round < kills; round++) {
      const index = Math.floor(Math.random() * writers.length);
      const victim = writers[index]!;
      // Let it get going, then kill it at a random point of its update cycle.
      for (let n = 1 + Math.floor(Math.random() * 5); n > 0; n--) await victim.next('ack');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
      victim.kill('SIGKILL');
      await victim.exited;
      const count = readCounter(file);
      assert.ok(count >= maxAcked, `round ${round}: file holds ${count}, but ${maxAcked} was acknowledged`);
      writers[index] = start((await startWorkers(1))[0]!);
    }
    for (const writer of writers) writer.kill('SIGKILL');
    await Promise.all(writers.map((w) => w.exited));
    // Acknowledgements already sent may still be in the IPC pipes: count them all.
    await waitFor(() => all.every((c) => !c.process.connected), 20_000, 'the IPC channels to close');

    // Every acknowledged update is there; at most one unacknowledged one per killed writer on top.
    const count = readCounter(file);
    assert.ok(count >= acked, `file holds ${count} but ${acked} updates were acknowledged`);
    assert.ok(count <= acked + kills + writers.length, `file holds ${count}, acknowledged ${acked}`);

    // The temp files the killed writers left are removed by the next write.
    const store = openStore<{ count: number }>(file, { defaults: { count: 0 } });
    await store.update((draft) => {
      draft.count++;
    });
    assert.deepEqual(readdirSync(dir).sort(), ['counter.json', 'counter.json.lock']);
    assert.equal(readCounter(file), count + 1);
  });
});
