import type { Better } from '../lib/stats.js';
import type { Subject } from '../subjects/subject.js';

/** One number a figure reports per subject and run. */
export interface Metric {
  readonly key: string;
  /** Column heading, with its unit. */
  readonly label: string;
  readonly better: Better;
  /** How runs combine: the median with its spread (default), or the total over all runs (counts). */
  readonly combine?: 'median' | 'total';
}

/** What one run of a figure found for one subject. */
export interface Measurement {
  values: Record<string, number>;
  /** Something a reader should know about this number (e.g. "never within 15 s"). */
  note?: string;
}

export interface FigureContext {
  readonly quick: boolean;
  /** A fresh folder with the counter `{"count":0}`; returns the target path (its lock file is `TARGET.lock`). */
  scratch(): string;
}

/**
 * One figure of the benchmark: a module in bench/figures, listed in bench/figures/index.ts. The harness
 * runs `measure` once per run and subject (subjects interleaved within a run) and does the statistics,
 * the ratios to proper-lockfile and to the C limit, the table and the chart.
 */
export interface Figure {
  readonly id: string;
  /** The figure's number in issue 7 (both contended sizes are figure 2; the store is figure 6). */
  readonly number: number;
  /** Table title and chart label. */
  readonly title: string;
  /** Short chart label. */
  readonly short: string;
  /** How it is measured, for the report. */
  describe(quick: boolean): string;
  readonly metrics: readonly Metric[];
  /** The metric that ratios and the chart use. */
  readonly primary: string;
  /** Runs of this figure (default: the harness's). */
  runs?(defaultRuns: number): number;
  /**
   * Repeat a subject only while its primary value stays under this (e.g. a recovery that waits out a
   * 10 s stale timeout measures that timeout, not noise: once is enough). Default: always repeat.
   */
  readonly repeatBelow?: number;
  /** Why this subject cannot run this figure, if it cannot. */
  unsupported?(subject: Subject): string | undefined;
  measure(subject: Subject, context: FigureContext): Promise<Measurement>;
}
