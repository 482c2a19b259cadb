import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { openCheckouts } from '../../src/index.js';
import type { CheckoutReply as Reply } from '../fixtures/checkout-worker.js';
import { type Child, killChildrenAfter, spawnChild } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

killChildrenAfter();

const PROCESSES = 20;

describe(`${PROCESSES} processes share one registry`, { timeout: 120_000 }, () => {
  const root = tempDir('locksmith-checkout-race-');
  for (let i = 0; i < PROCESSES; i++) writeFileSync(path.join(root, `part-${i}.mcam`), `part ${i}`);
  writeFileSync(path.join(root, 'shared.mcam'), 'shared');
  const children: Child[] = [];

  before(async () => {
    for (let i = 0; i < PROCESSES; i++) children.push(spawnChild('checkout-worker.ts'));
    await Promise.all(children.map((child) => child.next('ready', 90_000)));
  });

  /** Send every child its message at once (all are ready), and collect the replies. */
  function all(message: (i: number) => Record<string, unknown>): Promise<Reply[]> {
    const replies = children.map((child) => child.next<Reply>('reply', 60_000));
    children.forEach((child, i) => {
      child.send(message(i));
    });
    return Promise.all(replies);
  }

  it('racing for one file: exactly one wins, and every other is told who holds it', async () => {
    const replies = await all((i) => ({
      type: 'checkout',
      root,
      file: 'shared.mcam',
      owner: `user-${i}`,
      message: `change ${i}`,
    }));
    const winners = replies.filter((r) => r.ok);
    assert.equal(winners.length, 1, JSON.stringify(replies));
    const winner = winners[0]!.result!.owner;
    for (const reply of replies.filter((r) => !r.ok)) {
      assert.equal(reply.code, 'CHECKOUT_CONFLICT', reply.message);
      assert.equal(reply.holder?.owner, winner);
      assert.equal(reply.holder?.message, `change ${winner.slice('user-'.length)}`);
      assert.match(reply.message!, new RegExp(`checked out by ${winner} since `));
    }
    const status = await openCheckouts(root).status('shared.mcam');
    assert.equal(status.owner, winner);
  });

  it('checking out different files at once: every check-out is recorded, none lost', async () => {
    const replies = await all((i) => ({
      type: 'checkout',
      root,
      file: `part-${i}.mcam`,
      owner: `user-${i}`,
    }));
    assert.deepEqual(
      replies.filter((r) => !r.ok),
      [],
    );
    const registry = openCheckouts(root);
    const listed = await registry.list({ extension: '.mcam' });
    for (let i = 0; i < PROCESSES; i++) {
      const file = listed.find((f) => f.name === `part-${i}.mcam`);
      assert.equal(file?.status, 'checked-out');
      assert.equal(file?.owner, `user-${i}`);
    }
    const registryFile = JSON.parse(readFileSync(registry.registryPath, 'utf8'));
    assert.equal(Object.keys(registryFile.checkouts).length, PROCESSES + 1);

    const { events, unreadable } = await registry.history();
    assert.deepEqual(unreadable, []);
    assert.equal(events.length, PROCESSES + 1, 'one audit line per check-out, none torn or lost');
    assert.deepEqual(
      new Set(events.flatMap((e) => (e.event !== 'reverted' && e.file.startsWith('part-') ? [e.owner] : []))),
      new Set(children.map((_, i) => `user-${i}`)),
    );
  });

  it('and all check in at once', async () => {
    const replies = await all((i) => ({ type: 'checkin', root, file: `part-${i}.mcam`, owner: `user-${i}` }));
    assert.deepEqual(
      replies.filter((r) => !r.ok),
      [],
    );
    const listed = await openCheckouts(root).list({ extension: '.mcam' });
    assert.deepEqual(
      listed.filter((f) => f.status === 'checked-out').map((f) => f.name),
      ['shared.mcam'],
    );
  });
});
