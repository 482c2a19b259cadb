// The stale-takeover race of the lease backend, shared by its test (a few rounds) and
// scripts/lease-torture.ts (hundreds): 8 waiters wait on a lock whose holder then dies, or whose
// foreign-host lease then expires, and all race to take it over. Each hold is logged to an O_APPEND file.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Child, spawnChild } from '../../../helpers/children.js';

export type Scenario = 'sigkill' | 'expired';

export interface RoundResult {
  /** Holds logged in this round (must equal the number of waiters). */
  holds: number;
  /** Most holders inside at once (must be 1). */
  most: number;
  /** ms from the holder's SIGKILL (or the lease's expiry) to the first waiter holding the lock. */
  recovery: number;
}

/** Holds logged and the most holders inside at once, over a whole enter/exit log. */
export function overlaps(log: string): { holds: number; most: number } {
  let inside = 0;
  let most = 0;
  let holds = 0;
  for (const line of log.split('\n')) {
    if (line.startsWith('enter ')) {
      inside++;
      holds++;
      most = Math.max(most, inside);
    } else if (line.startsWith('exit ')) inside--;
  }
  return { holds, most };
}

export async function startRacers(count: number): Promise<Child[]> {
  const racers = Array.from({ length: count }, () => spawnChild('lease-racer.ts'));
  await Promise.all(racers.map((r) => r.next('ready', 60_000)));
  return racers;
}

/** A marker as a crashed holder on another host leaves it: fresh mtime, a lease of `lease` ms. */
export function writeForeignMarker(
  lockfilePath: string,
  lease: number,
  token = randomBytes(16).toString('hex'),
): void {
  mkdirSync(lockfilePath, { recursive: true });
  const record = {
    pid: 4242,
    hostname: 'another-host.example',
    command: 'node elsewhere.js',
    since: new Date().toISOString(),
    mode: 'exclusive',
    token,
    lease,
  };
  const owner = path.join(lockfilePath, `owner.${token}`);
  writeFileSync(owner, `${JSON.stringify(record)}\n`);
  const now = new Date();
  utimesSync(owner, now, now);
}

/** One round: `racers` wait on `file`, its holder dies (or its lease expires), they all take turns. */
export async function raceRound(
  racers: Child[],
  file: string,
  log: string,
  round: number,
  scenario: Scenario,
  hold = 50,
): Promise<RoundResult> {
  const start = readFileSync(log, 'utf8').length;
  let holder: Child | undefined;
  const foreignLease = 300;
  if (scenario === 'sigkill') {
    holder = spawnChild('lease-racer.ts');
    await holder.next('ready', 60_000);
    holder.send({ type: 'hold', path: file });
    const locked = await holder.next<{ error?: string }>('locked', 60_000);
    assert.equal(locked.error, undefined, 'the holder could not lock');
  } else {
    writeForeignMarker(`${file}.lock`, foreignLease);
  }
  const expiresAt = Date.now() + foreignLease;
  for (const racer of racers) racer.send({ type: 'race', path: file, log, hold, round });
  // Everyone has found the lock busy and waits: now the holder goes.
  await Promise.all(racers.map((r) => r.next('waiting', 60_000)));
  let lostAt = expiresAt;
  if (holder) {
    lostAt = Date.now();
    holder.kill('SIGKILL');
  }
  const results = await Promise.all(
    racers.map((r) => r.next<{ acquiredAt: number; error?: string }>('raced', 120_000)),
  );
  for (const result of results) assert.equal(result.error, undefined, 'a racer failed');
  await holder?.exited;
  const { holds, most } = overlaps(readFileSync(log, 'utf8').slice(start));
  const first = Math.min(...results.map((r) => r.acquiredAt));
  return { holds, most, recovery: first - lostAt };
}
