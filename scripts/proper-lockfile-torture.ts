// Torture run of the proper-lockfile stale-takeover race, drop-in and/or the real package side by side:
// each trial, `waiters` processes wait (retrying every 10 ms) on a lock whose holder is SIGKILLed, then
// race to take it over; each holds it 20 ms and logs enter/exit. Reports the trials with two holders at
// once (the drop-in must have 0) and the recovery times.
// Trials run in `groups` independent races at once (each its own lock, waiters and holders).
//   node --import tsx scripts/proper-lockfile-torture.ts [trials=1000] [impl=drop-in|proper-lockfile] [waiters=4] [groups=4]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleRacer, type Impl, staleRace } from '../bench/lib/stale-race.js';

const trials = Number(process.argv[2] ?? 1000);
const impl = (process.argv[3] ?? 'drop-in') as Impl;
const waiters = Number(process.argv[4] ?? 4);
const dir = mkdtempSync(path.join(tmpdir(), 'proper-lockfile-torture-'));
const bundle = await bundleRacer();
const started = performance.now();
const result = await staleRace({
  bundle,
  impl,
  trials,
  waiters,
  dir,
  progress: (trial, overlapped) => {
    if ((trial + 1) % 50 === 0)
      console.error(`${trial + 1}/${trials} trials, ${overlapped} with two holders`);
  },
});
rmSync(dir, { recursive: true, force: true });
rmSync(bundle, { force: true });
const sorted = [...result.recovery].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
console.log(
  `${impl} stale-takeover race: ${result.trials} trials x ${waiters} waiters (stale 2000 ms, 10 ms retries)`,
);
console.log(`trials with two holders at once: ${result.overlapped}`);
console.log(
  `recovery after SIGKILL: min ${sorted[0]} median ${at(0.5)} p95 ${at(0.95)} max ${sorted.at(-1)} ms`,
);
console.log(`wall time ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(impl === 'drop-in' && result.overlapped > 0 ? 1 : 0);
