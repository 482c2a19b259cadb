import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Metric } from '../../bench/figures/figure.js';
import {
  cell,
  checkTargets,
  ratioTo,
  renderMarkdown,
  resultsFromMarkdown,
  storeTable,
} from '../../bench/lib/report.js';
import type { FigureResult, Results, Row } from '../../bench/lib/results.js';
import { renderSvg } from '../../bench/lib/svg.js';

const subjects = {
  locksmith: { id: 'locksmith', label: 'locksmith (kernel)', mechanism: 'flock' },
  c: { id: 'c', label: 'C, blocking flock(2)', mechanism: 'flock' },
  pl: { id: 'proper-lockfile', label: 'proper-lockfile', version: '4.1.2', mechanism: 'mkdir' },
  lf: { id: 'lockfile', label: 'lockfile <O_EXCL>', mechanism: 'O_EXCL | poll' },
};

function row(subject: Row['subject'], values: Record<string, number[]>, notes: string[] = []): Row {
  return { subject, values, notes };
}

const opsMetrics: Metric[] = [
  { key: 'ops', label: 'ops/s', better: 'higher' },
  { key: 'lost', label: 'lost updates', better: 'lower', combine: 'total' },
];

function results(): Results {
  const contended: FigureResult = {
    id: 'contended-4',
    title: 'Contended: 4 processes',
    short: 'contended 4 procs ops/s',
    description: 'four processes',
    metrics: opsMetrics,
    primary: 'ops',
    rows: [
      row(subjects.locksmith, { ops: [5000, 5200, 4800], lost: [0, 0, 0] }),
      row(subjects.c, { ops: [8000, 8000, 8000], lost: [0, 0, 0] }),
      row(subjects.pl, { ops: [1000, 900, 1100], lost: [0, 0, 0] }),
      row(subjects.lf, { ops: [1200, 1200, 1200], lost: [2, 0, 1] }),
    ],
    skipped: [],
  };
  const recovery: FigureResult = {
    id: 'recovery',
    title: 'Crash recovery',
    short: 'recovery ms',
    description: 'SIGKILL',
    metrics: [{ key: 'ms', label: 'ms', better: 'lower' }],
    primary: 'ms',
    rows: [
      row(subjects.locksmith, { ms: [30, 70, 40] }),
      row(subjects.c, { ms: [0.3] }),
      row(subjects.pl, { ms: [11_000, 11_200, 10_900] }),
      row(subjects.lf, { ms: [Number.POSITIVE_INFINITY] }, ['never within 15 s']),
    ],
    skipped: [{ label: 'Python filelock', reason: 'not installed' }],
  };
  return {
    date: '2026-11-23 14:00 UTC',
    quick: false,
    runs: 3,
    seconds: 300,
    machine: {
      cores: 2,
      cpu: 'test cpu',
      memoryGiB: 8,
      node: 'v20.20.2',
      os: 'Linux',
      filesystem: 'ext4',
      loadAverage: [1, 2, 3],
    },
    subjects: Object.values(subjects),
    skipped: [{ label: 'locksmith (lease)', reason: 'not available' }],
    figures: [contended, recovery],
    store: { note: 'bench/store.ts does not exist yet' },
    baseline: 'proper-lockfile',
    limit: 'c',
  };
}

describe('bench report', { timeout: 10_000 }, () => {
  it('shows medians with the spread of the runs, and totals for counts', () => {
    const r = results();
    const [contended] = r.figures;
    assert.equal(cell(contended!.rows[0]!, opsMetrics[0]!), '5 000 (4 800–5 200)');
    assert.equal(cell(contended!.rows[1]!, opsMetrics[0]!), '8 000');
    assert.equal(cell(contended!.rows[3]!, opsMetrics[1]!), '3');
  });

  it('takes ratios to proper-lockfile and to the C limit on the primary metric', () => {
    const r = results();
    const [contended, recovery] = r.figures;
    assert.equal(ratioTo(contended!, contended!.rows[0]!, 'proper-lockfile'), 5);
    assert.equal(ratioTo(contended!, contended!.rows[0]!, 'c'), 5000 / 8000);
    assert.equal(ratioTo(recovery!, recovery!.rows[0]!, 'proper-lockfile'), 11_000 / 40);
    assert.equal(ratioTo(recovery!, recovery!.rows[3]!, 'proper-lockfile'), undefined); // never
    assert.equal(ratioTo(recovery!, recovery!.rows[0]!, 'nobody'), undefined);
  });

  it('checks the targets of the issues against the numbers', () => {
    const checks = checkTargets(results());
    const find = (text: string) => checks.find((c) => c.text === text);
    assert.equal(find('≥ 3 × proper-lockfile')?.met, true);
    assert.equal(find('≥ 0.6 × the C limit')?.met, true); // 5000 / 8000 = 0.625
    assert.equal(find('≤ 50 ms')?.met, true); // median 40
    assert.equal(find('≤ 20 µs/op'), undefined); // not measured: no row
    assert.match(find('≥ 0.6 × the C limit')!.value, /5 000 ops\/s \(0\.625×\)/);
  });

  it('renders the markdown with the machine, the skipped subjects, and every figure', () => {
    const md = renderMarkdown(results(), 'benchmarks.svg');
    assert.match(md, /2 cores \(test cpu\).*Node v20\.20\.2, lock files on ext4/);
    assert.match(md, /!\[Ratios to proper-lockfile\]\(benchmarks\.svg\)/);
    assert.match(md, /- locksmith \(lease\): not available/);
    assert.match(md, /\| locksmith \(kernel\) \| 5 000 \(4 800–5 200\) \| 0 \| 5× \| 0\.625× \|/);
    assert.match(md, /\| lockfile <O_EXCL> \| ∞ \| — \| — \| never within 15 s \|/);
    assert.match(md, /Not run for Python filelock: not installed\./);
    assert.match(md, /Not measured: bench\/store\.ts does not exist yet/);
    assert.match(md, /O_EXCL \\\| poll/); // a pipe inside a cell is escaped
  });

  it('shows the store figure as a table when bench/store.ts prints rows, and as JSON otherwise', () => {
    const data = {
      unit: 'ms',
      iterations: 500,
      results: [
        { name: 'update', durable: true, p50: 1.234, p99: 5.6 },
        { name: 'read', p50: 0.1, p99: 0.3 },
      ],
    };
    const table = storeTable(data).join('\n');
    assert.match(table, /\(unit: ms, iterations: 500\)/);
    assert.match(table, /^\| name \| durable \| p50 \| p99 \|$/m);
    assert.match(table, /^\| update \| true \| 1\.23 \| 5\.60 \|$/m);
    assert.match(table, /^\| read \| {2}\| 0\.100 \| 0\.300 \|$/m);
    assert.match(storeTable({ other: [1, 2] }).join('\n'), /```json[\s\S]*"other"/);
  });

  it('keeps its numbers, so that a report can be redrawn without measuring again', () => {
    const original = results();
    const back = resultsFromMarkdown(renderMarkdown(original, 'benchmarks.svg'));
    assert.deepEqual(back, original);
    assert.equal(back.figures[1]?.rows[3]?.values.ms?.[0], Number.POSITIVE_INFINITY);
    assert.throws(() => resultsFromMarkdown('# no numbers here'), /does not carry its numbers/);
  });

  it('draws one bar per ratio, on a log scale centred on 1×, with text escaped', () => {
    const svg = renderSvg(results());
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\n$/);
    assert.ok(svg.includes('lockfile &lt;O_EXCL&gt;'));
    assert.ok(!svg.includes('<O_EXCL>'));
    const bars = [...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => ({
      x: Number(m[1]),
      width: Number(m[2]),
    }));
    // contended: 4 bars; recovery: 3 (lockfile never recovered: no ratio, no bar)
    assert.equal(bars.length, 7);
    const [locksmith, c, pl, lf] = bars;
    // 5× and 8× go right of the 1× line, proper-lockfile itself is a sliver at 1×, on a log scale
    assert.ok(Math.abs(locksmith!.x - c!.x) < 0.5);
    assert.ok(Math.abs(locksmith!.width / c!.width - Math.log10(5) / Math.log10(8)) < 0.01);
    assert.equal(pl!.width, 1);
    assert.ok(Math.abs(lf!.width / c!.width - Math.log10(1.2) / Math.log10(8)) < 0.01);
  });
});
