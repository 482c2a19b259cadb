// A connection that dies silently (no FIN, no RST: a black-holed network) is noticed by the heartbeat
// while the handle's signal is watched. A TCP proxy in this process stands for the network.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { lock } from '../../src/index.js';
import { postgresBackend } from '../../src/postgres/index.js';
import { waitFor } from '../helpers/children.js';
import { adminClient, CONNECTION, locksOn, SKIP } from './server.js';

/** Forwards to the server until `freeze()`, after which bytes vanish both ways; `cut()` closes everything. */
async function blackHoleProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let frozen = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (data) => frozen || upstream.write(data));
    upstream.on('data', (data) => frozen || client.write(data));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    freeze: () => {
      frozen = true;
    },
    cut: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

describe('postgres backend heartbeat', { timeout: 30_000, skip: SKIP }, () => {
  it('a silently dead connection aborts the signal with LOCK_COMPROMISED; the lock is released once the link closes', async () => {
    const proxy = await blackHoleProxy(new URL(CONNECTION!));
    const namespace = `heartbeat-${process.pid}`;
    const backend = postgresBackend({ connectionString: proxy.url, namespace, heartbeat: 200 });
    const admin = await adminClient();
    try {
      const handle = await lock('render/shot', { backend });
      const aborted = once(handle.signal, 'abort');
      assert.equal((await locksOn(admin, handle.lockfilePath)).length, 1);
      proxy.freeze();
      await aborted;
      const reason = handle.signal.reason as { code?: string; message?: string };
      assert.equal(reason.code, 'LOCK_COMPROMISED');
      assert.match(reason.message ?? '', /no answer to a ping within 200 ms/);
      // The server still holds it for a client it cannot hear from, until the connection really closes.
      proxy.cut();
      await waitFor(async () => (await locksOn(admin, handle.lockfilePath)).length === 0, 10_000, 'release');
      await handle.release(); // does not throw for a lost lock
    } finally {
      proxy.cut();
      await backend.close();
      await admin.query('delete from locksmith_fencing where key like $1', [`postgres:${namespace}:%`]);
      await admin.end();
    }
  });
});
