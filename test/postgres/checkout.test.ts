// The check-out registry works unchanged on the postgres backend: its locks are names on the server
// (relative to the shared root), its data the files of `.locksmith/`.
import assert from 'node:assert/strict';
import { readdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { lock, openCheckouts } from '../../src/index.js';
import { postgresBackend } from '../../src/postgres/index.js';
import type { CheckoutReply as Reply } from '../fixtures/checkout-worker.js';
import type { BackendSpec } from '../helpers/backend-from-spec.js';
import { type Child, killChildrenAfter, spawnChild } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';
import { adminClient, CONNECTION, locksOn, SKIP } from './server.js';

killChildrenAfter();

const PROCESSES = 12;
const NAMESPACE = `checkout-${process.pid}-${Date.now().toString(36)}`;
const KEY = (name: string) => `postgres:${NAMESPACE}:${name}`;

describe(`the check-out registry on the postgres backend, ${PROCESSES} processes`, {
  timeout: 180_000,
  skip: SKIP,
}, () => {
  const root = realpathSync(tempDir('locksmith-pg-checkout-'));
  writeFileSync(path.join(root, 'shared.mcam'), 'shared');
  const spec: BackendSpec = {
    kind: 'postgres',
    connectionString: CONNECTION ?? '',
    namespace: NAMESPACE,
    root,
  };
  const backend = postgresBackend({ connectionString: CONNECTION ?? '', namespace: NAMESPACE, root });
  const children: Child[] = [];
  let admin: pg.Client;

  before(async () => {
    admin = await adminClient();
    for (let i = 0; i < PROCESSES; i++) children.push(spawnChild('checkout-worker.ts'));
    await Promise.all(children.map((child) => child.next('ready', 90_000)));
  });
  after(async () => {
    await backend.close();
    await admin?.query('delete from locksmith_fencing where key like $1', [`postgres:${NAMESPACE}:%`]);
    await admin?.end();
  });

  function ask(child: Child, message: Record<string, unknown>): Promise<Reply> {
    const reply = child.next<Reply>('reply', 60_000);
    child.send({ root, backend: spec, ...message });
    return reply;
  }

  let winner = -1;

  it('racing for one file: exactly one wins, and every other is told who holds it', async () => {
    const replies = await Promise.all(
      children.map((child, i) =>
        ask(child, { type: 'checkout', file: 'shared.mcam', owner: `user-${i}`, message: `change ${i}` }),
      ),
    );
    const winners = replies.filter((r) => r.ok);
    assert.equal(winners.length, 1, JSON.stringify(replies));
    const owner = winners[0]!.result!.owner;
    winner = Number(owner.slice('user-'.length));
    for (const reply of replies.filter((r) => !r.ok)) {
      assert.equal(reply.code, 'CHECKOUT_CONFLICT', reply.message);
      assert.equal(reply.holder?.owner, owner);
      assert.equal(reply.holder?.message, `change ${winner}`);
      assert.match(reply.message!, new RegExp(`checked out by ${owner} since `));
    }
    const registry = openCheckouts(root, { backend });
    assert.equal((await registry.status('shared.mcam')).owner, owner);
    const { events } = await registry.history();
    assert.equal(events.length, 1, 'one check-out recorded');
    // The locks were names on the server, all released; on disk only the registry and its log.
    assert.deepEqual(readdirSync(path.join(root, '.locksmith')).sort(), ['audit.jsonl', 'checkouts.json']);
    assert.deepEqual(await locksOn(admin, KEY('.locksmith/checkouts.json')), []);
  });

  it('a check-in by someone else is refused; the owner checks in', async () => {
    assert.ok(winner >= 0, 'the race above picked a winner');
    const other = (winner + 1) % PROCESSES;
    const refused = await ask(children[other]!, {
      type: 'checkin',
      file: 'shared.mcam',
      owner: `user-${other}`,
    });
    assert.equal(refused.ok, false);
    assert.equal(refused.code, 'CHECKOUT_NOT_HOLDER', refused.message);
    assert.equal(refused.holder?.owner, `user-${winner}`);
    const done = await ask(children[winner]!, {
      type: 'checkin',
      file: 'shared.mcam',
      owner: `user-${winner}`,
    });
    assert.equal(done.ok, true, done.message);
    const status = await openCheckouts(root, { backend }).status('shared.mcam');
    assert.equal(status.status, 'available');
  });

  it('its lock is named relative to the root: a holder of that name elsewhere (another mount) excludes it', async () => {
    // A backend without a root, as on a machine that mounts the share elsewhere and locks by the relative name.
    const elsewhere = postgresBackend({ connectionString: CONNECTION ?? '', namespace: NAMESPACE });
    try {
      const held = await lock('.locksmith/checkouts.json', { backend: elsewhere });
      const registry = openCheckouts(root, { backend, timeout: 200 });
      await assert.rejects(registry.checkout('shared.mcam', { owner: 'alice' }), { code: 'LOCK_TIMEOUT' });
      await held.release();
      const status = await registry.checkout('shared.mcam', { owner: 'alice' });
      assert.equal(status.owner, 'alice');
    } finally {
      await elsewhere.close();
    }
  });
});
