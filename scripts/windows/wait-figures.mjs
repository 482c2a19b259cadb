// Windows wait figures under Wine, run by scripts/windows/wait-figures.sh (not a test: figures, not checks).
//   idle SECONDS      hold the lock while 16 child processes wait for it (KIDS=sleeper: 16 idle processes
//                     that do not wait, the baseline); the caller samples their CPU from Linux
//   recovery ROUNDS   a child holds the lock, this process waits, the child is killed: ms to the grant
//   wake ROUNDS       a child holds the lock, this process waits, the child releases: ms from its unlock
//                     to the grant here (process.hrtime is the host's monotonic clock in every process)
//   readfile ROUNDS   fs.readFile latency, alone and then while 32 child processes wait for a held lock
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lock } from './build/src/index.js';

const [mode, arg] = process.argv.slice(2);
const file = path.join(os.tmpdir(), 'locksmith-waits', 'w.txt');
const self = process.argv[1];
const spawnKid = (args) => fork(self, args, { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
const next = (kid) => new Promise((r) => kid.once('message', r));
const summary = (name, times) => {
  times.sort((a, b) => a - b);
  const f = (t) => t.toFixed(1);
  const at = (q) => f(times[Math.min(times.length - 1, Math.floor(q * times.length))]);
  const all = times.length <= 20 ? `, all ${times.map(f).join(' ')}` : `, p90 ${at(0.9)}, p99 ${at(0.99)}`;
  console.log(`${name}: median ${at(0.5)}, min ${f(times[0])}, max ${f(times.at(-1))}${all}`);
};

if (mode === 'sleeper') {
  process.send('waiting');
  setInterval(() => {}, 1 << 30);
} else if (mode === 'waiter') {
  const h = await lock(file, { timeout: 120_000, onWait: () => process.send('waiting') });
  process.send('locked');
  if (arg === 'hold')
    process.on('message', async () => {
      const at = process.hrtime.bigint();
      await h.release();
      process.send({ releasedAt: String(at) });
      process.exit(0);
    });
  else {
    await h.release();
    process.exit(0);
  }
} else if (mode === 'idle') {
  const h = await lock(file, { timeout: 5_000 });
  const kids = [];
  for (let i = 0; i < 16; i++) kids.push(spawnKid([process.env.KIDS ?? 'waiter']));
  await Promise.all(kids.map(next));
  writeFileSync('idle-ready', 'x');
  await new Promise((r) => setTimeout(r, Number(arg) * 1000));
  for (const k of kids) k.kill();
  await h.release();
  process.exit(0);
} else if (mode === 'recovery' || mode === 'wake') {
  const times = [];
  for (let i = 0; i < Number(arg); i++) {
    const holder = spawnKid(['waiter', 'hold']);
    await next(holder); // locked
    let killedAt = 0;
    let released;
    const h = await lock(file, {
      timeout: 30_000,
      onWait: () => {
        killedAt = performance.now();
        if (mode === 'recovery') holder.kill();
        else {
          released = next(holder);
          holder.send('release');
        }
      },
    });
    const grantedAt = process.hrtime.bigint();
    const ms =
      mode === 'recovery'
        ? performance.now() - killedAt
        : Number(grantedAt - BigInt((await released).releasedAt)) / 1e6;
    times.push(ms);
    await h.release();
  }
  summary(mode === 'recovery' ? 'recovery ms (kill to grant)' : 'wake ms (unlock to grant)', times);
} else if (mode === 'readfile') {
  writeFileSync('small.txt', 'x'.repeat(1024));
  const measure = async () => {
    const times = [];
    for (let i = 0; i < Number(arg); i++) {
      const t = performance.now();
      await readFile('small.txt');
      times.push(performance.now() - t);
    }
    return times;
  };
  summary('readFile ms, nobody waiting', await measure());
  const h = await lock(file, { timeout: 5_000 });
  const kids = [];
  for (let i = 0; i < 32; i++) kids.push(spawnKid(['waiter']));
  await Promise.all(kids.map(next));
  summary('readFile ms, 32 processes waiting', await measure());
  readFileSync('small.txt');
  for (const k of kids) k.kill();
  await h.release();
  process.exit(0);
}
