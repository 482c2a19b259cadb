// What happens when the OS refuses: a file the user may not chmod (read-only mode), and a registry write
// refused after its audit line was appended. Run by a child without root, since root may do anything.
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openCheckouts } from '../../src/index.js';
import type { CheckoutReply as Reply } from '../fixtures/checkout-worker.js';
import { killChildrenAfter, spawnChild } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';
import { unprivilegedUnavailable } from '../helpers/unprivileged.js';

killChildrenAfter();

const isRoot = process.getuid?.() === 0;

/** A shared folder whose registry exists, open to a child running as another user. */
async function sharedFolder(): Promise<string> {
  const base = tempDir('locksmith-checkout-perm-');
  chmodSync(base, 0o755);
  const root = path.join(base, 'designs');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(root);
  writeFileSync(path.join(root, 'a.mcam'), 'a');
  writeFileSync(path.join(root, 'b.mcam'), 'b');
  const registry = openCheckouts(root);
  await registry.checkout('b.mcam', { owner: 'root' });
  chmodSync(root, 0o777);
  const folder = path.join(root, '.locksmith');
  chmodSync(folder, 0o777);
  for (const name of readdirSync(folder)) chmodSync(path.join(folder, name), 0o666);
  return root;
}

async function asNobody(message: Record<string, unknown>): Promise<Reply> {
  const child = spawnChild('checkout-worker.ts', ['--as-nobody']);
  await child.next('ready');
  child.send(message);
  return child.next<Reply>('reply');
}

function childCheckout(root: string, file: string): Promise<Reply> {
  return asNobody({ type: 'checkout', root, file, owner: 'nobody' });
}

describe('checkout when the OS refuses', { timeout: 60_000 }, () => {
  it('read-only mode, a file another user owns: CHECKOUT_MODE, nothing recorded', {
    skip: isRoot ? unprivilegedUnavailable() : 'needs root, to own a file the test child may not chmod',
  }, async () => {
    const root = await sharedFolder();
    const registry = openCheckouts(root);
    await registry.protectAvailable();
    const before = readFileSync(registry.registryPath, 'utf8');
    const reply = await childCheckout(root, 'a.mcam');
    assert.equal(reply.ok, false);
    assert.equal(reply.code, 'CHECKOUT_MODE', reply.message);
    assert.match(reply.message!, /Cannot make a\.mcam writable \(EPERM\); it was not checked out/);
    assert.equal(readFileSync(registry.registryPath, 'utf8'), before);
    assert.equal((await registry.status('a.mcam')).status, 'available');
    assert.equal(statSync(path.join(root, 'a.mcam')).mode & 0o222, 0);
    assert.deepEqual(
      (await registry.history()).events.map((e) => e.event),
      ['checkout'],
    );
  });

  it('read-only mode, a break by someone who may not chmod the file: recorded, with a warning that it stayed writable', {
    skip: isRoot ? unprivilegedUnavailable() : 'needs root, to own a file the test child may not chmod',
  }, async () => {
    const root = await sharedFolder();
    const registry = openCheckouts(root);
    await registry.protectAvailable();
    await registry.checkout('a.mcam', { owner: 'root' });
    for (const name of readdirSync(path.join(root, '.locksmith'))) {
      chmodSync(path.join(root, '.locksmith', name), 0o666);
    }
    const reply = (await asNobody({
      type: 'break',
      root,
      file: 'a.mcam',
      owner: 'nobody',
      message: 'root is away',
    })) as Reply & { result?: { modeWarning?: string } };
    assert.equal(reply.ok, true, reply.message);
    assert.equal(reply.result?.modeWarning, 'a.mcam could not be made read-only (EPERM)');
    assert.equal((await registry.status('a.mcam')).status, 'available');
    assert.equal(statSync(path.join(root, 'a.mcam')).mode & 0o200, 0o200);
    const broken = (await registry.history()).events.at(-1);
    assert.equal(broken?.event, 'break');
    assert.equal(broken?.by, 'nobody');
    assert.equal(broken?.reason, 'root is away');
  });

  it('a folder that cannot be read: list fails with CHECKOUT_IO naming it, rather than leave it out', {
    skip: isRoot ? unprivilegedUnavailable() : 'needs root, to run the test child as another user',
  }, async () => {
    const root = await sharedFolder();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(path.join(root, 'private'), { mode: 0o700 });
    writeFileSync(path.join(root, 'private', 'c.mcam'), 'c');
    const reply = await asNobody({ type: 'list', root });
    assert.equal(reply.ok, false);
    assert.equal(reply.code, 'CHECKOUT_IO', reply.message);
    assert.match(reply.message!, /Cannot list the folder .*private \(EACCES\)/);
  });

  it('a registry write refused after the audit line: a "reverted" line cancels it, the registry is unchanged', {
    skip: unprivilegedUnavailable(),
  }, async () => {
    const root = await sharedFolder();
    const registry = openCheckouts(root);
    const before = readFileSync(registry.registryPath, 'utf8');
    chmodSync(path.join(root, '.locksmith'), 0o555); // the lock, registry and log files stay writable
    try {
      const reply = await childCheckout(root, 'a.mcam');
      assert.equal(reply.ok, false);
      assert.equal(reply.code, 'ATOMIC_WRITE_IO', reply.message);
    } finally {
      chmodSync(path.join(root, '.locksmith'), 0o777);
    }
    assert.equal(readFileSync(registry.registryPath, 'utf8'), before);
    const { events } = await registry.history();
    assert.deepEqual(
      events.map((e) => [e.event, e.event === 'reverted' ? undefined : e.file]),
      [
        ['checkout', 'b.mcam'],
        ['checkout', 'a.mcam'],
        ['reverted', undefined],
      ],
    );
    const reverted = events[2]!;
    assert.ok(reverted.event === 'reverted');
    assert.equal(reverted.of, events[1]!.id);
    assert.equal(reverted.error, 'ATOMIC_WRITE_IO');
    // The reverted check-out does not count: the file is available to the next person.
    await registry.checkout('a.mcam', { owner: 'alice' });
  });
});
