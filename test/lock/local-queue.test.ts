import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { lock } from '../../src/index.js';
import { LOCAL_HANDOFF_MS } from '../../src/lock/local-queue.js';
import { killChildrenAfter, spawnChild } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

killChildrenAfter();

describe('hand-offs between the tasks of one process', { timeout: 90_000 }, () => {
  it('are bounded: a process whose tasks keep passing the lock to each other lets another process in', async (t) => {
    const file = path.join(tempDir(), 'busy');
    writeFileSync(file, '');
    const child = spawnChild('lock-worker.ts');
    await child.next('ready', 60_000);

    // Two tasks of this process pass the lock back and forth without a pause: each holds it across one
    // turn of the event loop (so that timers and the child's messages still run), the other one waits.
    let stop = false;
    let handoffs = 0;
    const loop = async () => {
      while (!stop) {
        const handle = await lock(file, { backend: 'kernel' });
        handoffs++;
        await new Promise((resolve) => setImmediate(resolve));
        await handle.release();
      }
    };
    const loops = [loop(), loop()];
    // Let the chain start before the other process asks.
    while (handoffs < 10) await new Promise((resolve) => setTimeout(resolve, 1));

    const asked = performance.now();
    child.send({ type: 'lock', path: file, options: { backend: 'kernel', timeout: 60_000 } });
    // Without a bound the chain never gives the lock back: the other process would wait until it stops.
    const deadline = setTimeout(() => {
      stop = true;
    }, 15_000);
    await child.next('locked', 60_000);
    const waited = performance.now() - asked;
    const stillRunning = !stop;
    t.diagnostic(`the other process waited ${waited.toFixed(1)} ms; ${handoffs} grants here so far`);
    clearTimeout(deadline);
    child.send({ type: 'release' });
    await child.next('released');
    stop = true;
    await Promise.all(loops);
    assert.ok(stillRunning, `the other process got the lock only once this process's tasks stopped`);
    assert.ok(handoffs > 20, 'the tasks kept passing the lock');
    // Typically LOCAL_HANDOFF_MS, a 2 ms turn and one hand-over: far below the deadline on a busy machine.
    assert.ok(
      waited < 14_000,
      `waited ${waited.toFixed(0)} ms (hand-offs are bounded by ${LOCAL_HANDOFF_MS} ms)`,
    );
    child.send({ type: 'exit' });
    await child.exited;
  });
});
