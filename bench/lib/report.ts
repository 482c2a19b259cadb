import type { Metric } from '../figures/figure.js';
import type { FigureResult, Results, Row } from './results.js';
import { formatNumber, formatRatio, ratio, summarize } from './stats.js';

/** The combined value of a metric over the runs of a row: the median, or the total for counts. */
export function combined(row: Row, metric: Metric): number {
  const values = row.values[metric.key] ?? [];
  if (values.length === 0) return Number.NaN;
  return metric.combine === 'total' ? values.reduce((a, b) => a + b, 0) : summarize(values).median;
}

/** A table cell: the median with the spread of the runs, e.g. "12.3 (11.9–13.0)". */
export function cell(row: Row, metric: Metric): string {
  const values = row.values[metric.key] ?? [];
  if (values.length === 0) return '—';
  if (metric.combine === 'total') return formatNumber(combined(row, metric));
  const { median, min, max } = summarize(values);
  const shown = formatNumber(median);
  const spread = values.length > 1 && formatNumber(min) !== formatNumber(max);
  return spread ? `${shown} (${formatNumber(min)}–${formatNumber(max)})` : shown;
}

/** The ratio of a subject's primary metric to another subject's in the same figure ("how many times better"). */
export function ratioTo(figure: FigureResult, row: Row, referenceId: string): number | undefined {
  const reference = figure.rows.find((r) => r.subject.id === referenceId && !r.error);
  const metric = figure.metrics.find((m) => m.key === figure.primary);
  if (!reference || !metric || row.error) return undefined;
  return ratio(combined(row, metric), combined(reference, metric), metric.better);
}

interface Target {
  subject: string;
  figure: string;
  metric: string;
  /** What the issue asks, in words. */
  text: string;
  check(value: number, results: Results, figure: FigureResult, row: Row): boolean;
}

/** The targets of issues 2, 7 and 15, checked against the numbers (in the report, never in tests). */
const TARGETS: Target[] = [
  { subject: 'locksmith', figure: 'uncontended', metric: 'us', text: '≤ 20 µs/op', check: (v) => v <= 20 },
  {
    subject: 'locksmith',
    figure: 'contended-4',
    metric: 'ops',
    text: '≥ 0.6 × the C limit',
    check: (_v, results, figure, row) => (ratioTo(figure, row, results.limit) ?? 0) >= 0.6,
  },
  {
    subject: 'locksmith',
    figure: 'contended-4',
    metric: 'ops',
    text: '≥ 3 × proper-lockfile',
    check: (_v, results, figure, row) => (ratioTo(figure, row, results.baseline) ?? 0) >= 3,
  },
  {
    subject: 'locksmith',
    figure: 'contended-4',
    metric: 'lost',
    text: '0 lost updates',
    check: (v) => v === 0,
  },
  {
    subject: 'locksmith',
    figure: 'contended-16',
    metric: 'lost',
    text: '0 lost updates',
    check: (v) => v === 0,
  },
  { subject: 'locksmith', figure: 'recovery', metric: 'ms', text: '≤ 50 ms', check: (v) => v <= 50 },
  { subject: 'lease', figure: 'recovery', metric: 'ms', text: '≤ 1 s (same host)', check: (v) => v <= 1000 },
  { subject: 'locksmith', figure: 'threadpool', metric: 'max', text: '≤ 5 ms (max)', check: (v) => v <= 5 },
  { subject: 'locksmith', figure: 'idle', metric: 'total', text: '< 2 % of one core', check: (v) => v < 2 },
  // Issue 15: short-lived processes.
  {
    subject: 'locksmith',
    figure: 'startup',
    metric: 'cli',
    text: '`run -- true` ≤ 1.3 × node -e 0',
    check: (v) => v <= 1.3,
  },
  {
    subject: 'locksmith',
    figure: 'startup',
    metric: 'import',
    text: 'import + first lock ≤ 15 ms',
    check: (v, _results, figure, row) => {
      const lock = figure.metrics.find((m) => m.key === 'lock');
      return lock !== undefined && v + combined(row, lock) <= 15;
    },
  },
  {
    subject: 'locksmith',
    figure: 'burst',
    metric: 'ms',
    text: '≤ 1.0 × fs-ext (wall)',
    check: (_v, _results, figure, row) => (ratioTo(figure, row, 'fs-ext') ?? 0) >= 1,
  },
  {
    subject: 'locksmith',
    figure: 'contended-16',
    metric: 'ops',
    text: '≥ 1.0 × fs-ext',
    check: (_v, _results, figure, row) => (ratioTo(figure, row, 'fs-ext') ?? 0) >= 1,
  },
  {
    subject: 'locksmith',
    figure: 'contended-16',
    metric: 'p99',
    text: 'p99 wait ≤ 50 ms',
    check: (v) => v <= 50,
  },
  {
    subject: 'locksmith',
    figure: 'contended-16',
    metric: 'max',
    text: 'max wait ≤ 100 ms',
    check: (v) => v <= 100,
  },
];

export interface TargetCheck {
  subject: string;
  figure: string;
  metric: string;
  text: string;
  value: string;
  met: boolean;
}

/** Each target whose figure and subject were measured: the number and whether it is met. */
export function checkTargets(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const target of TARGETS) {
    const figure = results.figures.find((f) => f.id === target.figure);
    const row = figure?.rows.find((r) => r.subject.id === target.subject && !r.error);
    const metric = figure?.metrics.find((m) => m.key === target.metric);
    if (!figure || !row || !metric) continue;
    const value = combined(row, metric);
    const shownRatio = /C limit/.test(target.text)
      ? ` (${formatRatio(ratioTo(figure, row, results.limit))})`
      : /proper-lockfile/.test(target.text)
        ? ` (${formatRatio(ratioTo(figure, row, results.baseline))})`
        : /fs-ext/.test(target.text)
          ? ` (${formatRatio(ratioTo(figure, row, 'fs-ext'))} fs-ext)`
          : '';
    checks.push({
      subject: row.subject.label,
      figure: figure.title,
      metric: metric.label,
      text: target.text,
      value: `${formatNumber(value)} ${metric.label}${shownRatio}`,
      met: target.check(value, results, figure, row),
    });
  }
  return checks;
}

function cellText(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function figureTable(results: Results, figure: FigureResult): string[] {
  const baseline = results.subjects.find((s) => s.id === results.baseline)?.label ?? results.baseline;
  const head = ['subject', ...figure.metrics.map((m) => m.label), `× ${baseline}`, '× C limit', 'notes'];
  const lines = [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 || i === head.length - 1 ? ' --- ' : ' ---: ')).join('|')}|`,
  ];
  for (const row of figure.rows) {
    const cells = row.error ? figure.metrics.map(() => '—') : figure.metrics.map((m) => cell(row, m));
    const notes = row.error ? `failed: ${row.error}` : [...new Set(row.notes)].join('; ');
    lines.push(
      `| ${cellText(row.subject.label)} | ${cells.join(' | ')} | ${formatRatio(ratioTo(figure, row, results.baseline))} | ${formatRatio(ratioTo(figure, row, results.limit))} | ${cellText(notes)} |`,
    );
  }
  return lines;
}

/**
 * Figure 6 as bench/store.ts printed it: its `results` rows as a table (one column per key, the other
 * top-level fields above it), or the JSON as it is when it has another shape.
 */
export function storeTable(data: unknown): string[] {
  const record = data as { results?: unknown } | null;
  const rows =
    record && Array.isArray(record.results) ? (record.results as Record<string, unknown>[]) : undefined;
  const flat = rows?.every(
    (r) => r && typeof r === 'object' && Object.values(r).every((v) => typeof v !== 'object'),
  );
  if (!rows || rows.length === 0 || !flat) {
    return ['As printed by `bench/store.ts`:', '', '```json', JSON.stringify(data, null, 2), '```'];
  }
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const show = (v: unknown) => (typeof v === 'number' ? formatNumber(v) : v === undefined ? '' : String(v));
  const context = Object.entries(record as Record<string, unknown>)
    .filter(([key, value]) => key !== 'results' && typeof value !== 'object')
    .map(([key, value]) => `${key}: ${String(value)}`);
  return [
    `Measured by \`bench/store.ts\`${context.length ? ` (${context.join(', ')})` : ''}:`,
    '',
    `| ${keys.join(' | ')} |`,
    `|${keys.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${keys.map((k) => cellText(show(r[k]))).join(' | ')} |`),
  ];
}

/** docs/benchmarks.md */
export function renderMarkdown(results: Results, svgName: string): string {
  const m = results.machine;
  const baseline = results.subjects.find((s) => s.id === results.baseline)?.label ?? results.baseline;
  const out: string[] = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench${results.quick ? ' -- --quick' : ''}\` on ${results.date} in ${Math.round(results.seconds)} s` +
      `${results.commit ? ` at commit ${results.commit}` : ''}` +
      `${results.quick ? ' (**quick mode: tiny sizes, one run — a smoke test, not a measurement**)' : ''}.`,
    '',
    `**Machine:** ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, lock files on ${m.filesystem}. ` +
      `Load average when the run started: ${m.loadAverage.join(', ')}.`,
    '',
    ...(results.note ? [`**Note:** ${results.note}`, ''] : []),
    'Each number is the median of the runs with their spread (min–max) in brackets. ' +
      `"× ${baseline}" and "× C limit" say how many times *better* a subject is than proper-lockfile (what most ` +
      "Node projects use) and than blocking flock(2) from C (the physical limit), on the figure's first column, " +
      'whatever its unit: above 1× is better, below 1× is worse. Treat them as ratios measured side by side, not as absolutes.',
    '',
    `![Ratios to ${baseline}](${svgName})`,
    '',
    '## Subjects',
    '',
    '| subject | version | how it locks and waits |',
    '| --- | --- | --- |',
    ...results.subjects.map(
      (s) => `| ${cellText(s.label)} | ${s.version ?? '—'} | ${cellText(s.mechanism)} |`,
    ),
    '',
  ];
  if (results.skipped.length) {
    out.push('Not measured here:', '', ...results.skipped.map((s) => `- ${s.label}: ${s.reason}`), '');
  }
  const checks = checkTargets(results);
  if (checks.length) {
    out.push(
      '## Targets (issues 2, 7 and 15)',
      '',
      '| subject | figure | target | measured | met |',
      '| --- | --- | --- | --- | --- |',
      ...checks.map(
        (c) =>
          `| ${cellText(c.subject)} | ${cellText(c.figure)} | ${c.text} | ${cellText(c.value)} | ${c.met ? 'yes' : '**no**'} |`,
      ),
      '',
    );
  }
  results.figures.forEach((figure, index) => {
    out.push(
      `## ${figure.number ?? index + 1}. ${figure.title}`,
      '',
      figure.description,
      '',
      ...figureTable(results, figure),
    );
    for (const skip of figure.skipped) out.push('', `Not run for ${skip.label}: ${skip.reason}.`);
    out.push('');
  });
  out.push('## 6. Store update latency', '');
  if (results.store.data !== undefined) {
    out.push(...storeTable(results.store.data), '');
  } else {
    out.push(`Not measured: ${results.store.note ?? 'no data'}.`, '');
  }
  // The numbers themselves, so that `--render` can redraw this report (JSON has no Infinity: kept as a string).
  out.push(`<!-- ${RESULTS_MARK}`, JSON.stringify(results, keepInfinity), '-->');
  return `${out.join('\n')}\n`;
}

const RESULTS_MARK = 'benchmarks.json';
const keepInfinity = (_key: string, value: unknown) =>
  value === Number.POSITIVE_INFINITY ? 'Infinity' : value;
const reviveInfinity = (_key: string, value: unknown) =>
  value === 'Infinity' ? Number.POSITIVE_INFINITY : value;

/** The results a report was rendered from (kept in it by {@link renderMarkdown}), or plain results JSON. */
export function resultsFromMarkdown(markdown: string): Results {
  if (markdown.trimStart().startsWith('{')) return JSON.parse(markdown, reviveInfinity) as Results;
  const start = markdown.lastIndexOf(`<!-- ${RESULTS_MARK}\n`);
  const end = markdown.indexOf('\n-->', start);
  if (start < 0 || end < 0) throw new Error('this report does not carry its numbers');
  return JSON.parse(markdown.slice(start + RESULTS_MARK.length + 6, end), reviveInfinity) as Results;
}
