import type { Metric } from '../figures/figure.js';

/** A subject as the report shows it. */
export interface SubjectInfo {
  id: string;
  label: string;
  version?: string;
  mechanism: string;
}

/** All runs of one figure for one subject. */
export interface Row {
  subject: SubjectInfo;
  /** Per metric key, one value per run. */
  values: Record<string, number[]>;
  notes: string[];
  /** Set when the subject failed this figure (the row has no values then). */
  error?: string;
}

export interface FigureResult {
  id: string;
  /** The figure's number in issue 7 (absent in reports from before it was kept). */
  number?: number;
  title: string;
  short: string;
  description: string;
  metrics: Metric[];
  primary: string;
  rows: Row[];
  /** Subjects that cannot run this figure, and why. */
  skipped: { label: string; reason: string }[];
}

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  os: string;
  filesystem: string;
  loadAverage: number[];
}

/** Everything one `npm run bench` measured; docs/benchmarks.md and .svg are rendered from it. */
export interface Results {
  date: string;
  quick: boolean;
  runs: number;
  seconds: number;
  machine: Machine;
  /** The subjects that ran, in table order. */
  subjects: SubjectInfo[];
  /** The subjects that could not run here, and why. */
  skipped: { label: string; reason: string }[];
  figures: FigureResult[];
  /** Figure 6 (store update latency): the JSON bench/store.ts printed, or why it did not run. */
  store: { data?: unknown; note?: string };
  baseline: string;
  limit: string;
  /** The commit measured (`git describe --always --dirty`), when the harness runs in a git checkout. */
  commit?: string;
  /** A line for the header (`--note`), e.g. that the machine was shared. */
  note?: string;
}
