// The benchmark harness behind `npm run bench` (started by bench/run.js, which installs the anchors first).
//   npm run bench                      every figure, every subject, 5 runs; writes docs/benchmarks.{md,svg}
//   npm run bench -- --quick           tiny sizes, one run, written to bench/.work/ (a smoke test)
//   --runs N  --subjects a,b  --figures a,b  --out DIR
//   --note TEXT                        a line for the report's header (e.g. "measured on a shared machine")
//   --render FILE                      redraw a report from the numbers kept in its benchmarks.md, measuring nothing
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import type { Figure, FigureContext } from './figures/figure.js';
import { FIGURES } from './figures/index.js';
import { runStoreBench } from './figures/store.js';
import { describeMachine } from './lib/machine.js';
import { BENCH_DIR, ROOT_DIR, WORK_DIR } from './lib/paths.js';
import { WORKER_BUNDLE } from './lib/proc.js';
import { combined, ratioTo, renderMarkdown, resultsFromMarkdown } from './lib/report.js';
import type { FigureResult, Results, Row, SubjectInfo } from './lib/results.js';
import { formatNumber, formatRatio } from './lib/stats.js';
import { renderSvg } from './lib/svg.js';
import { BASELINE, LIMIT, SUBJECTS } from './subjects/index.js';
import type { Subject } from './subjects/subject.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    subjects: { type: 'string' },
    figures: { type: 'string' },
    out: { type: 'string' },
    note: { type: 'string' },
    render: { type: 'string' },
  },
});
const quick = args.quick === true;
const runs = Number(args.runs ?? (quick ? 1 : 5));
const pick = (list: string | undefined) => (list ? new Set(list.split(',').map((s) => s.trim())) : undefined);
const wantedSubjects = pick(args.subjects);
const wantedFigures = pick(args.figures);
const outDir = path.resolve(args.out ?? (quick ? WORK_DIR : path.join(ROOT_DIR, 'docs')));
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (line: string) => console.log(line);

mkdirSync(WORK_DIR, { recursive: true });
const scratchRoot = mkdtempSync(path.join(WORK_DIR, 'run-'));
let scratchCount = 0;
const context: FigureContext = {
  quick,
  scratch() {
    const dir = path.join(scratchRoot, String(++scratchCount));
    mkdirSync(dir);
    const target = path.join(dir, 'data.json');
    writeFileSync(target, JSON.stringify({ count: 0 }));
    return target;
  },
};

function info(subject: Subject): SubjectInfo {
  const version = subject.version();
  return {
    id: subject.id,
    label: subject.label,
    mechanism: subject.mechanism,
    ...(version ? { version } : {}),
  };
}

async function runFigure(figure: Figure, subjects: Subject[]): Promise<FigureResult> {
  const result: FigureResult = {
    id: figure.id,
    number: figure.number,
    title: figure.title,
    short: figure.short,
    description: figure.describe(quick),
    metrics: [...figure.metrics],
    primary: figure.primary,
    rows: [],
    skipped: [],
  };
  const active: { subject: Subject; row: Row; done: boolean }[] = [];
  for (const subject of subjects) {
    // A subject made for a few figures only (flock(1)) is left out of the others silently.
    if (subject.kind === 'external' && subject.figures && !subject.figures.includes(figure.id)) continue;
    const reason = figure.unsupported?.(subject);
    if (reason) result.skipped.push({ label: subject.label, reason });
    else {
      const row: Row = { subject: info(subject), values: {}, notes: [] };
      result.rows.push(row);
      active.push({ subject, row, done: false });
    }
  }
  const total = figure.runs?.(runs) ?? runs;
  const primary = figure.metrics.find((m) => m.key === figure.primary)!;
  for (let run = 1; run <= total; run++) {
    for (const entry of active) {
      if (entry.done) continue;
      const { subject, row } = entry;
      try {
        const measurement = await figure.measure(subject, context);
        for (const [key, value] of Object.entries(measurement.values)) {
          row.values[key] = [...(row.values[key] ?? []), value];
        }
        if (measurement.note) row.notes.push(measurement.note);
        const value = measurement.values[figure.primary] ?? Number.NaN;
        // "Never" once is enough: repeating it only burns the cap again.
        if (value === Number.POSITIVE_INFINITY || value >= (figure.repeatBelow ?? Number.POSITIVE_INFINITY)) {
          entry.done = true;
        }
        log(
          `  ${figure.id} run ${run}/${total} ${subject.label}: ${formatNumber(value)} ${primary.label}` +
            `${measurement.note ? ` (${measurement.note})` : ''}  [${elapsed()}]`,
        );
      } catch (error) {
        row.error = (error as Error).message.split('\n')[0] ?? String(error);
        row.values = {};
        entry.done = true;
        log(`  ${figure.id} run ${run}/${total} ${subject.label}: FAILED ${row.error}`);
      }
    }
  }
  return result;
}

function printSummary(results: Results): void {
  for (const figure of results.figures) {
    const metric = figure.metrics.find((m) => m.key === figure.primary)!;
    log(`\n${figure.title} (${metric.label}; × proper-lockfile, × C limit)`);
    for (const row of figure.rows) {
      const value = row.error ? `failed: ${row.error}` : formatNumber(combined(row, metric));
      log(
        `  ${row.subject.label.padEnd(22)} ${value.padStart(10)}  ${formatRatio(ratioTo(figure, row, results.baseline)).padStart(8)}  ${formatRatio(ratioTo(figure, row, results.limit)).padStart(8)}`,
      );
    }
  }
}

function write(results: Results): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'benchmarks.md'), renderMarkdown(results, 'benchmarks.svg'));
  writeFileSync(path.join(outDir, 'benchmarks.svg'), renderSvg(results));
  log(`\nWrote benchmarks.md and benchmarks.svg to ${outDir} in ${elapsed()}.`);
}

/** The commit being measured, for the report's header. */
function describeCommit(): string | undefined {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], {
      cwd: ROOT_DIR,
      encoding: 'utf8',
      stdio: 'pipe',
    }).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  if (args.render) {
    const results = resultsFromMarkdown(readFileSync(args.render, 'utf8'));
    if (args.note) results.note = args.note;
    printSummary(results);
    write(results);
    return;
  }
  await build({
    entryPoints: [path.join(BENCH_DIR, 'worker.ts')],
    outfile: WORKER_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const machine = describeMachine(scratchRoot);
  const commit = describeCommit();
  log(
    `locksmith benchmarks${quick ? ' (quick)' : ''}: ${machine.cores} cores, Node ${machine.node}, ${machine.filesystem}, load ${machine.loadAverage.join(' ')}`,
  );
  const subjects: Subject[] = [];
  const skipped: Results['skipped'] = [];
  for (const subject of SUBJECTS) {
    if (wantedSubjects && !wantedSubjects.has(subject.id)) continue;
    const reason = await subject.probe();
    if (reason) {
      skipped.push({ label: subject.label, reason });
      log(`note: skipping ${subject.label}: ${reason}`);
    } else subjects.push(subject);
  }
  const figures: FigureResult[] = [];
  for (const figure of FIGURES) {
    if (wantedFigures && !wantedFigures.has(figure.id)) continue;
    log(`${figure.title}`);
    figures.push(await runFigure(figure, subjects));
  }
  let store: Results['store'] = { note: 'not requested (--figures)' };
  if (!wantedFigures || wantedFigures.has('store')) {
    log('Store update latency');
    store = runStoreBench(quick);
    if (store.note) log(`note: ${store.note}`);
  }
  const results: Results = {
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    quick,
    runs,
    seconds: (performance.now() - started) / 1000,
    machine,
    subjects: subjects.map(info),
    skipped,
    figures,
    store,
    baseline: BASELINE,
    limit: LIMIT,
    ...(args.note ? { note: args.note } : {}),
    ...(commit ? { commit } : {}),
  };
  printSummary(results);
  write(results);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(scratchRoot, { recursive: true, force: true }));
