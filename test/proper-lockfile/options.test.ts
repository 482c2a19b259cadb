// Defaults, limits and the retry schedule, against proper-lockfile's own normalisation and the retry
// package it uses (both devDependencies), so that a difference in either shows here.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { resolveLockOptions, staleOf } from '../../src/proper-lockfile/options.js';
import { RetryCursor, retrySchedule } from '../../src/proper-lockfile/retry-schedule.js';

const require = createRequire(createRequire(import.meta.url).resolve('proper-lockfile'));
const retry = require('retry') as { timeouts(options: object): number[] };

/** proper-lockfile 4.1.2's lines, copied from lib/lockfile.js, as the reference. */
function theirs(options: { stale?: number; update?: number | null }) {
  const o = { stale: 10000, update: null as number | null, ...options };
  const stale = Math.max(o.stale || 0, 2000);
  let update = o.update == null ? stale / 2 : o.update || 0;
  update = Math.max(Math.min(update, stale / 2), 1000);
  return { stale, update };
}

describe('proper-lockfile drop-in: options', { timeout: 10_000 }, () => {
  for (const options of [
    {},
    { stale: 0 },
    { stale: 500 },
    { stale: 5000 },
    { stale: 60000, update: 100 },
    { update: 0 },
    { update: 9000 },
    { stale: 3000, update: 2500 },
  ]) {
    it(`stale and update as proper-lockfile: ${JSON.stringify(options)}`, () => {
      const ours = resolveLockOptions('f', options);
      assert.deepEqual({ stale: ours.stale, update: ours.update }, theirs(options));
    });
  }

  it('check uses the same stale rule', () => {
    assert.equal(staleOf(undefined), 10000);
    assert.equal(staleOf(0), 2000);
    assert.equal(staleOf(100), 2000);
    assert.equal(staleOf(7000), 7000);
  });

  for (const options of [
    { retries: 3 },
    { retries: 4, minTimeout: 10, maxTimeout: 50 },
    { retries: 5, factor: 1.5, minTimeout: 100 },
    { forever: true, retries: 0, minTimeout: 20 },
    {},
  ]) {
    it(`retry delays as the retry package: ${JSON.stringify(options)}`, () => {
      assert.deepEqual(retrySchedule(options).delays, retry.timeouts(options));
    });
  }

  it('retries: a number means that many retries with the retry defaults', () => {
    assert.deepEqual(resolveLockOptions('f', { retries: 3 }).retries.delays, [1000, 2000, 4000]);
    assert.deepEqual(resolveLockOptions('f', {}).retries.delays, []);
  });

  it('forever starts the schedule over; without it the cursor ends', () => {
    const once = new RetryCursor(retrySchedule({ retries: 2, minTimeout: 1 }));
    assert.deepEqual([once.next(), once.next(), once.next()], [1, 2, undefined]);
    const forever = new RetryCursor(retrySchedule({ retries: 2, minTimeout: 1, forever: true }));
    assert.deepEqual([forever.next(), forever.next(), forever.next(), forever.next()], [1, 2, 1, 2]);
  });

  it("minTimeout above maxTimeout throws the retry package's error", () => {
    assert.throws(() => resolveLockOptions('f', { retries: { minTimeout: 10, maxTimeout: 5 } }), {
      message: 'minTimeout is greater than maxTimeout',
    });
  });

  it('wrong types get a TypeError naming the option (proper-lockfile would misbehave silently)', () => {
    const bad: [string, object][] = [
      ['stale', { stale: '5000' }],
      ['update', { update: 'soon' }],
      ['retries', { retries: 'many' }],
      ['onCompromised', { onCompromised: 42 }],
      ['lockfilePath', { lockfilePath: 7 }],
      ['fs', { fs: {} }],
    ];
    for (const [name, options] of bad) {
      assert.throws(() => resolveLockOptions('f', options as never), {
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_TYPE',
        message: new RegExp(`"${name}"`),
      });
    }
    assert.throws(() => resolveLockOptions(42, {}), { code: 'ERR_INVALID_ARG_TYPE' });
  });
});
