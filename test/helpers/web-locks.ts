// Child processes making Web Lock requests on command (test/fixtures/web-locks-worker.ts), for the
// cross-process tests of the Web Locks.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { WebLockOptions } from '../../src/index.js';
import { type Child, spawnChild } from './children.js';

/** A child process making Web Lock requests, in the folder of the current test. */
export interface Worker {
  child: Child;
  clientId: string;
  dir: string;
  send(message: Record<string, unknown>): void;
}

export async function worker(): Promise<Worker> {
  const child = spawnChild('web-locks-worker.ts');
  const ready = await child.next<{ clientId: string }>('ready');
  const w: Worker = {
    child,
    clientId: ready.clientId,
    dir: '',
    send: (message) => child.send({ dir: w.dir, ...message }),
  };
  return w;
}

/** Ask `w` to request `name`; resolves when its callback runs (the lock is held). */
export async function holdIn(
  w: Worker,
  id: string,
  name: string,
  options: WebLockOptions = {},
): Promise<void> {
  w.send({ type: 'request', id, name, options });
  const granted = await w.child.next<{ id: string; lock: unknown }>('granted');
  assert.equal(granted.id, id);
  assert.notEqual(granted.lock, null, `${id} was not granted`);
}

export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Settle a request's promise into a value a test can inspect without unhandled rejections. */
export function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/**
 * Two children shared by the tests of one file (spawning one through tsx costs about a second), switched
 * to a fresh folder under `root` for each test: call the returned function at the start of a test.
 */
export function twoWorkers(root: string): () => Promise<{ dir: string; a: Worker; b: Worker }> {
  let n = 0;
  let shared: Promise<[Worker, Worker]> | undefined;
  return async () => {
    const dir = path.join(root, `f${++n}`);
    shared ??= Promise.all([worker(), worker()]);
    const [a, b] = await shared;
    a.dir = dir;
    b.dir = dir;
    return { dir, a, b };
  };
}
