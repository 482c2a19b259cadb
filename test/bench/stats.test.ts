import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNumber, formatRatio, median, quantile, ratio, summarize } from '../../bench/lib/stats.js';

describe('bench statistics', { timeout: 10_000 }, () => {
  it('takes quantiles by nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    assert.equal(quantile(values, 0.5), 5);
    assert.equal(quantile(values, 0.99), 10);
    assert.equal(quantile(values, 0), 1);
    assert.equal(quantile([42], 0.99), 42);
    assert.ok(Number.isNaN(quantile([], 0.5)));
  });

  it('takes medians of odd and even counts, with "never" (Infinity) among them', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([1, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]), Number.POSITIVE_INFINITY);
    assert.equal(median([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]), Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(median([])));
  });

  it('summarizes runs with their spread', () => {
    assert.deepEqual(summarize([12, 10, 11]), { median: 11, min: 10, max: 12, runs: 3 });
  });

  it('gives ratios as "times better" whichever way the metric points', () => {
    assert.equal(ratio(3000, 1000, 'higher'), 3); // ops/s: 3× the throughput
    assert.equal(ratio(10, 500, 'lower'), 50); // µs/op: 50× less time
    assert.equal(ratio(1000, 250, 'lower'), 0.25);
    assert.equal(ratio(0, 5, 'lower'), undefined); // no ratio to zero
    assert.equal(ratio(5, 0, 'lower'), undefined);
    assert.equal(ratio(Number.POSITIVE_INFINITY, 11_000, 'lower'), undefined); // "never"
    assert.equal(ratio(Number.NaN, 1, 'higher'), undefined);
  });

  it('formats numbers to about three significant digits with spaced thousands', () => {
    assert.equal(formatNumber(7432.4), '7 432');
    assert.equal(formatNumber(1_234_567), '1 234 567');
    assert.equal(formatNumber(56.78), '56.8');
    assert.equal(formatNumber(1.234), '1.23');
    assert.equal(formatNumber(0.01234), '0.0123');
    assert.equal(formatNumber(0.000259), '0.000259');
    assert.equal(formatNumber(0.5), '0.500');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(Number.POSITIVE_INFINITY), '∞');
    assert.equal(formatNumber(Number.NaN), '—');
    assert.equal(formatRatio(3.456), '3.46×');
    assert.equal(formatRatio(undefined), '—');
  });
});
