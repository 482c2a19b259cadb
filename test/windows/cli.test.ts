// The CLI (run, status, config), the check-out registry and Web Locks on Windows, across processes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CheckoutConflictError, createLockManager, openCheckouts } from '../../src/index.js';
import { subDir, tempDir, worker } from './helpers.js';

const cliScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'cli.js');
const base = tempDir('locksmith-win-cli-');
let n = 0;
const folder = () => subDir(base, `case-${++n}`);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliScript, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the CLI, the check-out registry and Web Locks on Windows', { timeout: 300_000 }, () => {
  it('run holds the lock while cmd.exe runs, and exits with its status', { timeout: 60_000 }, async () => {
    const file = path.join(folder(), 'a.txt');
    const ran = await cli(['run', file, '--', 'cmd', '/c', 'echo ran under the lock']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /ran under the lock/);
    const failed = await cli(['run', file, '--', 'cmd', '/c', 'exit 3']);
    assert.equal(failed.code, 3, failed.stderr);
  });

  it('run -n and status name the process that holds the lock', { timeout: 90_000 }, async () => {
    const file = path.join(folder(), 'b.txt');
    const w = await worker();
    w.send({ type: 'lock', path: file });
    await w.next('locked');
    const [busy, status] = await Promise.all([
      cli(['run', '-n', file, '--', 'cmd', '/c', 'echo never']),
      cli(['status', '--json', file]),
    ]);
    assert.equal(busy.code, 1, busy.stderr);
    assert.doesNotMatch(busy.stdout, /never/);
    assert.match(busy.stderr, new RegExp(`held by pid ${w.pid}`));
    assert.equal(status.code, 0, status.stderr);
    const [row] = JSON.parse(status.stdout) as { locked: boolean; holder: { pid: number } }[];
    assert.equal(row?.locked, true);
    assert.equal(row?.holder.pid, w.pid);
  });

  it('config set from two processes at once loses neither value', { timeout: 90_000 }, async () => {
    const file = path.join(folder(), 'settings.json');
    writeFileSync(file, '{\n  "name": "demo"\n}\n');
    const results = await Promise.all([
      cli(['config', 'set', file, 'server.port', '8080']),
      cli(['config', 'set', file, 'server.host', 'example.org']),
    ]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const got = await cli(['config', 'get', file, 'server.port']);
    assert.equal(got.stdout.trim(), '8080');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
      name: 'demo',
      server: { port: 8080, host: 'example.org' },
    });
  });

  it('a file checked out by another process is refused, naming its owner', { timeout: 60_000 }, async () => {
    const root = folder();
    writeFileSync(path.join(root, 'part.mcam'), 'drawing');
    const w = await worker();
    w.send({ type: 'checkout', root, file: 'part.mcam' });
    await w.next('locked');
    await assert.rejects(openCheckouts(root).checkout('part.mcam', { owner: 'me' }), (error: unknown) => {
      assert.ok(error instanceof CheckoutConflictError);
      assert.equal(error.holder.owner, 'child');
      return true;
    });
    const [status] = await openCheckouts(root).list();
    assert.equal(status?.status, 'checked-out');
  });

  it('Web Locks exclude across processes, and query() sees the other holder', {
    timeout: 60_000,
  }, async () => {
    const dir = folder();
    const w = await worker();
    w.send({ type: 'webLock', dir, name: 'printer' });
    await w.next('locked');
    const manager = createLockManager({ dir });
    const got = await manager.request('printer', { ifAvailable: true }, (lock) => lock);
    assert.equal(got, null, 'ifAvailable gets null while another process holds it');
    const { held } = await manager.query();
    assert.deepEqual(
      held.map((h) => [h.name, h.clientId.startsWith(`node-${w.pid}-`)]),
      [['printer', true]],
    );
    const waiting = manager.request('printer', async (lock) => lock?.name);
    w.send({ type: 'release' });
    assert.equal(await waiting, 'printer');
  });
});
