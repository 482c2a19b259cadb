// Model-checks the lease protocol (model/lease.pml) with spin when spin and a C compiler are installed:
// mutual exclusion with crashes holds for the real protocol, and the check does find the violation in the
// naive "remove whatever marker is there" takeover, so it is not a check that cannot fail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSpinModel, SPIN_SKIP as skip } from '../helpers/spin.js';

const verify = (defines: string[]) => runSpinModel('lease.pml', defines);

describe('the lease protocol model (spin)', { timeout: 120_000 }, () => {
  for (const defines of [
    ['-DN=2', '-DINC=2', '-DROUNDS=2'],
    ['-DN=3', '-DINC=1', '-DROUNDS=1'],
  ]) {
    it(`mutual exclusion with crashes holds (${defines.join(' ')})`, { skip }, (t) => {
      const result = verify(defines);
      t.diagnostic(`${result.states} states, depth ${result.depth}, ${result.errors} errors`);
      assert.equal(result.errors, 0, result.output);
      assert.match(result.output, /Full statespace search/);
      assert.ok(result.states > 1000, 'the search explored the interleavings');
    });
  }

  it('finds two holders in the naive takeover (remove whatever is there)', { skip }, () => {
    const result = verify(['-DNAIVE', '-DN=2', '-DINC=2', '-DROUNDS=1']);
    assert.ok(result.errors >= 1, result.output);
    assert.match(result.output, /assertion violated \(inside==1\)/);
  });
});
