// Model-checks the kernel backend's wait queue (model/wait-queue.pml) with spin when spin and a C compiler
// are installed: no wake-up is lost (a poll is never what ends a stall unless a process crashed), also when a
// release in its turn defers its wake-up, and the check does find the lost wake-ups of two wrong orders and of
// a process that ends owing one, so it is not a check that cannot fail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSpinModel, SPIN_SKIP as skip } from '../helpers/spin.js';

const verify = (defines: string[]) => runSpinModel('wait-queue.pml', defines);

describe('the wait queue model (spin)', { timeout: 240_000 }, () => {
  for (const defines of [
    ['-DN=2', '-DROUNDS=2'],
    ['-DN=2', '-DROUNDS=2', '-DCRASHES=1'],
    ['-DN=3', '-DROUNDS=1', '-DCRASHES=1'],
  ]) {
    it(`no lost wake-up, mutual exclusion (${defines.join(' ')})`, { skip }, (t) => {
      const result = verify(defines);
      t.diagnostic(`${result.states} states, ${result.errors} errors`);
      assert.equal(result.errors, 0, result.output);
      assert.match(result.output, /Full statespace search/);
      assert.ok(result.states > 10_000, 'the search explored the interleavings');
    });
  }

  for (const mutant of ['-DTRY_BEFORE_TICKET', '-DWAKE_BEFORE_UNLOCK', '-DNO_EXIT_WAKE']) {
    it(`finds the lost wake-up of a wrong order (${mutant})`, { skip }, () => {
      const result = verify([mutant, '-DN=2', '-DROUNDS=2']);
      assert.ok(result.errors >= 1, result.output);
      assert.match(result.output, /assertion violated \(crashed>0\)/);
    });
  }

  it('finds a holder dying with no head polling when the promotion is deferred (-DDEFERRED_PROMOTION)', {
    skip,
  }, () => {
    const result = verify(['-DDEFERRED_PROMOTION', '-DN=2', '-DROUNDS=2', '-DCRASHES=1']);
    assert.ok(result.errors >= 1, result.output);
    assert.match(
      result.output,
      /assertion violated \(\(\(crashedHolding==0\)&&\(crashedOwing==0\)\)\|\|anyPolling\)/,
    );
  });
});
