// Windows wait figures under Wine, run by scripts/windows/wait-figures.sh (not a test: figures, not checks).
//   idle SECONDS      hold the lock while 16 child processes wait for it (KIDS=sleeper: 16 idle processes
//                     that do not wait, the baseline); the caller samples their CPU from Linux
//   recovery ROUNDS   a child holds the lock, this process waits, the child is killed: ms to the grant
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lock } from './build/src/index.js';

const [mode, arg] = process.argv.slice(2);
const file = path.join(os.tmpdir(), 'locksmith-waits', 'w.txt');
const self = process.argv[1];
if (mode === 'sleeper') {
  process.send('waiting');
  setInterval(() => {}, 1 << 30);
} else if (mode === 'waiter') {
  const h = await lock(file, { timeout: 120_000, onWait: () => process.send('waiting') });
  process.send('locked');
  if (arg === 'hold')
    process.on('message', async () => {
      await h.release();
      process.exit(0);
    });
  else {
    await h.release();
    process.exit(0);
  }
} else if (mode === 'idle') {
  const h = await lock(file, { timeout: 5_000 });
  const kids = [];
  for (let i = 0; i < 16; i++)
    kids.push(fork(self, [process.env.KIDS ?? 'waiter'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }));
  await Promise.all(kids.map((k) => new Promise((r) => k.once('message', r))));
  writeFileSync('idle-ready', 'x');
  await new Promise((r) => setTimeout(r, Number(arg) * 1000));
  for (const k of kids) k.kill();
  await h.release();
  process.exit(0);
} else if (mode === 'recovery') {
  const times = [];
  for (let i = 0; i < Number(arg); i++) {
    const holder = fork(self, ['waiter', 'hold'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    await new Promise((r) => holder.once('message', r)); // locked
    let killedAt = 0;
    const h = await lock(file, {
      timeout: 30_000,
      onWait: () => {
        killedAt = performance.now();
        holder.kill();
      },
    });
    times.push(performance.now() - killedAt);
    await h.release();
  }
  times.sort((a, b) => a - b);
  console.log(
    `recovery ms: median ${times[times.length >> 1].toFixed(1)}, min ${times[0].toFixed(1)}, max ${times.at(-1).toFixed(1)}, all ${times.map((t) => t.toFixed(0)).join(' ')}`,
  );
}
