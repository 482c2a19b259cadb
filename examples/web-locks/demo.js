#!/usr/bin/env node
// The Web Locks API (navigator.locks) across processes: two participants are separate processes that
// share only a folder; the demo process is a third. Usage: node demo.js [folder]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLockManager } from 'locksmith';

const dir = process.argv[2] ?? mkdtempSync(path.join(tmpdir(), 'locksmith-web-locks-demo-'));
const locks = createLockManager({ dir });
const worker = fileURLToPath(new URL('worker.js', import.meta.url));

function participant(who) {
  const child = fork(worker, [who, dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (type) =>
    new Promise((resolve) =>
      child.on('message', function on(m) {
        if (m.type === type) resolve(child.off('message', on));
      }),
    );
  const exited = once(child, 'exit');
  return { who, child, next, exited, ask: (message) => child.send(message) };
}

const names = new Map();
async function show(title) {
  const { held, pending } = await locks.query();
  const line = (l) => `${l.name} (${l.mode}) by ${names.get(l.clientId) ?? l.clientId}`;
  console.log(
    `${title}\n  held:    ${held.map(line).join(', ') || 'nothing'}\n  pending: ${pending.map(line).join(', ') || 'nothing'}`,
  );
}

const alice = participant('alice');
const bob = participant('bob');
await Promise.all([alice.next('ready'), bob.next('ready')]);
for (const p of [alice, bob]) names.set(`node-${p.child.pid}-0`, p.who);
names.set(`node-${process.pid}-0`, 'demo');

alice.ask({ name: 'report' });
await alice.next('holding');
bob.ask({ name: 'report' });
const waitsForBob = async () => (await locks.query()).pending.length === 1;
while (!(await waitsForBob())) await new Promise((r) => setTimeout(r, 10));
await show('query() from a third process:');

const busy = await locks.request('report', { ifAvailable: true }, (lock) => lock === null);
console.log(`demo: ifAvailable -> ${busy ? 'null, report is busy' : 'granted?!'}`);

const lost = alice.next('lost');
await locks.request('report', { steal: true }, async () => {
  console.log('demo: stole report, ahead of bob');
  await lost;
  await show('while the demo holds the stolen lock:');
});
alice.ask({ type: 'release', name: 'report' });
await bob.next('holding');
bob.ask({ type: 'release', name: 'report' });

alice.ask({ name: 'journal' });
await alice.next('holding');
const after = locks.request('journal', () =>
  console.log('demo: holds journal, freed by the kernel when alice died'),
);
alice.child.kill('SIGKILL');
await after;
// The kernel frees a dying process's locks one file at a time: the journal can come free a moment before
// alice's registry entry does. Once she has exited (as her parent sees it), all of them are.
await alice.exited;
await show('after alice was killed (her entries are gone):');
bob.child.kill();
await bob.exited;
