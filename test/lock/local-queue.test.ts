import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { lock } from '../../src/index.js';
import type { Backend, BackendGrant } from '../../src/lock/backends/backend.js';
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

describe("a backend's own bound on hand-offs (Backend.handoffMs)", { timeout: 30_000 }, () => {
  /** An in-memory exclusive lock that records when each of its grants began and ended. */
  function recordingBackend(handoffMs: number | undefined) {
    let held = false;
    const grants: { from: number; to?: number }[] = [];
    const backend: Backend = {
      name: 'recording',
      supportsShared: false,
      handoffMs,
      tryAcquire(): BackendGrant | undefined {
        if (held) return undefined;
        held = true;
        const grant: { from: number; to?: number } = { from: performance.now() };
        grants.push(grant);
        return {
          release() {
            held = false;
            grant.to = performance.now();
          },
          watchLoss: () => () => {},
        };
      },
      inspect: () => ({ locked: held }),
    };
    return { backend, grants };
  }

  for (const bound of [undefined, 40]) {
    it(`tasks that keep passing the lock keep each grant ${bound ?? LOCAL_HANDOFF_MS} ms (${bound === undefined ? 'the default' : "the backend's"})`, async () => {
      const { backend, grants } = recordingBackend(bound);
      const file = path.join(tempDir(), 'passed');
      let stop = false;
      const loop = async () => {
        while (!stop) {
          const handle = await lock(file, { backend });
          await new Promise((resolve) => setImmediate(resolve));
          await handle.release();
        }
      };
      const loops = [loop(), loop()];
      while (grants.length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
      stop = true;
      await Promise.all(loops);
      // Every grant but the last ended because the bound was reached while the other task waited: none
      // shorter than it, however slow the machine (a slow one only makes them longer).
      const held = grants.slice(0, -1).map((g) => g.to! - g.from);
      const expected = bound ?? LOCAL_HANDOFF_MS;
      assert.ok(
        held.every((ms) => ms >= expected - 0.5),
        `grants held ${held.map((ms) => ms.toFixed(1)).join(', ')} ms`,
      );
    });
  }
});
