// Issue 17 row 2 for the Web Locks query registry, in a folder the caller chose and others can write: a
// live client's registry file replaced by a FIFO, a socket, a folder, a symlink (to a victim's file, and
// dangling), a hard link to a victim's file. query() ends at once with WEB_LOCKS_REGISTRY naming the file,
// the event loop keeps running, the victim is untouched; and this client's own files are created by it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLockManager } from '../../src/index.js';
import { type Kind, plant, scene, watchVictim } from './plant.js';

/** A client holding a lock in `dir` until `release()`; its registry files are then in `dir/clients/`. */
async function holder(dir: string): Promise<{ release: () => void; done: Promise<unknown> }> {
  const manager = createLockManager({ dir });
  let release!: () => void;
  let granted!: () => void;
  const held = new Promise<void>((resolve) => {
    granted = resolve;
  });
  const done = manager.request('job', async () => {
    granted();
    await new Promise<void>((resolve) => {
      release = resolve;
    });
  });
  await held;
  return { release, done };
}

/** The longest the event loop went without running a 5 ms interval while `promise` settled. */
async function loopGap<T>(promise: Promise<T>): Promise<{ settled: PromiseSettledResult<T>; gap: number }> {
  let last = performance.now();
  let gap = 0;
  const probe = setInterval(() => {
    gap = Math.max(gap, performance.now() - last);
    last = performance.now();
  }, 5);
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('query() hung')), 5_000),
  );
  try {
    const [settled] = await Promise.race([Promise.allSettled([promise]), timeout]);
    return { settled: settled!, gap: Math.max(gap, performance.now() - last) };
  } finally {
    clearInterval(probe);
  }
}

describe('hostile shared folder: the Web Locks registry', { timeout: 60_000 }, () => {
  for (const kind of ['fifo', 'socket', 'folder', 'symlink', 'dangling', 'hardlink'] as Kind[]) {
    it(`a live client's .slots file replaced by a ${kind}: query() ends at once, typed`, async () => {
      const s = scene(process.getuid?.() ?? 0);
      const dir = path.join(s.shared, 'web');
      const { release, done } = await holder(dir);
      try {
        const clients = path.join(dir, 'clients');
        const slots = fs.readdirSync(clients).find((name) => name.endsWith('.slots'));
        assert.ok(slots, 'the holder wrote its registry file');
        fs.rmSync(path.join(clients, slots));
        plant(kind, path.join(clients, slots), s);
        const untouched = watchVictim(s);
        const { settled, gap } = await loopGap(createLockManager({ dir }).query());
        assert.equal(settled.status, 'rejected', `query() read a ${kind} as a registry file`);
        const error = (settled as PromiseRejectedResult).reason as Error & { code?: string; file?: string };
        assert.equal(error.code, 'WEB_LOCKS_REGISTRY', error.message);
        assert.equal(error.file, path.join(clients, slots));
        assert.ok(gap < 1_000, `the event loop stalled for ${Math.round(gap)} ms`);
        untouched();
      } finally {
        release();
        await done;
      }
    });
  }

  it("this client's own registry files: regular, 0600, its own, one name each", async () => {
    const s = scene(process.getuid?.() ?? 0);
    const dir = path.join(s.shared, 'web');
    const { release, done } = await holder(dir);
    try {
      const clients = path.join(dir, 'clients');
      for (const name of fs.readdirSync(clients).filter((n) => n.endsWith('.slots'))) {
        const stats = fs.lstatSync(path.join(clients, name));
        assert.ok(stats.isFile());
        assert.equal(stats.mode & 0o777, 0o600);
        assert.equal(stats.uid, process.geteuid?.());
        assert.equal(stats.nlink, 1);
      }
    } finally {
      release();
      await done;
    }
  });
});
