/** Small statistics for the harness: exact, no interpolation surprises, Infinity-safe. */

/** The q-quantile (0..1) of `values` by the nearest-rank method; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** The median; for an even count, the mean of the two middle values (Infinity-safe). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid]!;
  const a = sorted[mid - 1]!;
  const b = sorted[mid]!;
  return a === b ? a : (a + b) / 2;
}

/** The median of several runs and how far they spread. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    median: median(values),
    min: values.length ? Math.min(...values) : Number.NaN,
    max: values.length ? Math.max(...values) : Number.NaN,
    runs: values.length,
  };
}

/** Which way is better for a metric. */
export type Better = 'higher' | 'lower';

/**
 * How many times better `value` is than `reference` (> 1: better, < 1: worse), whichever way the metric
 * points. Undefined unless both are finite and positive: a ratio to zero or to "never" means nothing.
 */
export function ratio(value: number, reference: number, better: Better): number | undefined {
  const usable = (x: number) => Number.isFinite(x) && x > 0;
  if (!usable(value) || !usable(reference)) return undefined;
  return better === 'higher' ? value / reference : reference / value;
}

/** A number with about three significant digits and space-separated thousands: 1 234, 56.7, 0.0123. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return '—';
  if (value === Number.POSITIVE_INFINITY) return '∞';
  const abs = Math.abs(value);
  // Three significant digits below 1 (0.123, 0.0123, 0.000259), fewer decimals above.
  const digits =
    abs >= 100 || Number.isInteger(value)
      ? 0
      : abs >= 10
        ? 1
        : abs >= 1
          ? 2
          : 2 - Math.floor(Math.log10(abs));
  const fixed = value.toFixed(digits);
  const [whole = '', fraction] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** A ratio as shown in tables: "12×", "0.45×", "—". */
export function formatRatio(value: number | undefined): string {
  return value === undefined ? '—' : `${formatNumber(value)}×`;
}
