// Torture run of the lease backend's stale takeover: `rounds` times, 8 waiters wait on a lock whose
// holder is then SIGKILLed (even rounds) or whose foreign-host lease then expires (odd rounds); all race
// to take it over, each holds it 50 ms and logs enter/exit to one O_APPEND log. Reports overlaps (must
// be 0) and the recovery times.
//   node --import tsx scripts/lease-torture.ts [rounds=200] [waiters=8]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { overlaps, raceRound, type Scenario, startRacers } from '../test/lock/backends/lease/lease-race.js';

const rounds = Number(process.argv[2] ?? 200);
const waiters = Number(process.argv[3] ?? 8);
const dir = mkdtempSync(path.join(tmpdir(), 'locksmith-torture-'));
const log = path.join(dir, 'holds.log');
writeFileSync(log, '');
const file = path.join(dir, 'contended.json');

const racers = await startRacers(waiters);
const recovery: Record<Scenario, number[]> = { sigkill: [], expired: [] };
let bad = 0;
const started = performance.now();
for (let round = 0; round < rounds; round++) {
  const scenario: Scenario = round % 2 === 0 ? 'sigkill' : 'expired';
  const result = await raceRound(racers, file, log, round, scenario);
  recovery[scenario].push(result.recovery);
  if (result.most !== 1 || result.holds !== waiters) {
    bad++;
    console.error(
      `round ${round} (${scenario}): ${result.holds} holds, at most ${result.most} inside at once`,
    );
  }
  if ((round + 1) % 20 === 0) console.error(`${round + 1}/${rounds} rounds, ${bad} bad`);
}
for (const racer of racers) racer.kill();
await Promise.all(racers.map((r) => r.exited));

const total = overlaps(readFileSync(log, 'utf8'));
const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `n=${sorted.length} min ${sorted[0]} median ${at(0.5)} p95 ${at(0.95)} max ${sorted.at(-1)} ms`;
};
console.log(`lease stale-takeover torture: ${rounds} rounds x ${waiters} waiters, 50 ms holds`);
console.log(
  `holds logged: ${total.holds} (expected ${rounds * waiters}); most inside at once: ${total.most}`,
);
console.log(`rounds with an overlap or a missing hold: ${bad}`);
console.log(`recovery after SIGKILL (same host, lease 10 s): ${stats(recovery.sigkill)}`);
console.log(`takeover after a foreign lease of 300 ms expired (from its expiry): ${stats(recovery.expired)}`);
console.log(`wall time ${((performance.now() - started) / 1000).toFixed(0)} s`);
rmSync(dir, { recursive: true, force: true });
process.exit(bad === 0 && total.most === 1 ? 0 : 1);
