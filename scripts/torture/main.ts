// npm run torture -- --duration <seconds> --backend <kernel|lease> [--workers 8] [--tasks 2] [--keys 3]
//   [--kill-rate 1] [--delete-rate 1] [--truncate-rate 2] [--keep] [--store]
// --store: the store variant, workers increment one counter with store.update (rules in check-store.ts).
// Workers lock, hold and release at random while the conductor SIGKILLs them and removes or truncates
// their lock files; then a checker verifies mutual exclusion from the O_APPEND log (rules in check.ts).
// Prints one summary line; exits 1 on any violation, 2 on bad arguments, 0 (saying so) when the backend is
// not available in this build.
import { parseArgs } from 'node:util';
import { selectBackend } from '../../src/lock/backends/select.js';
import { summary } from './check.js';
import { storeSummary } from './check-store.js';
import { runTorture } from './conductor.js';

function fail(message: string): never {
  console.error(`torture: ${message}`);
  process.exit(2);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      duration: { type: 'string', default: '20' },
      backend: { type: 'string', default: 'kernel' },
      workers: { type: 'string', default: '8' },
      tasks: { type: 'string', default: '2' },
      keys: { type: 'string', default: '3' },
      'kill-rate': { type: 'string', default: '1' },
      'delete-rate': { type: 'string', default: '1' },
      'truncate-rate': { type: 'string', default: '2' },
      keep: { type: 'boolean', default: false },
      store: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}

function number(name: string, min: number): number {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < min) fail(`--${name} must be a number >= ${min}`);
  return value;
}

if (values.backend !== 'kernel' && values.backend !== 'lease') fail('--backend must be kernel or lease');
const backend: 'kernel' | 'lease' = values.backend;
try {
  selectBackend(backend);
} catch (error) {
  const message = `torture ${backend}: skipped, the ${backend} backend is not available here (${(error as Error).message})`;
  console.log(message);
  process.send?.({ type: 'skipped', message });
  process.exit(0);
}

const options = {
  duration: number('duration', 0.1),
  backend,
  workers: Math.floor(number('workers', 1)),
  tasks: Math.floor(number('tasks', 1)),
  keys: Math.floor(number('keys', 1)),
  killRate: number('kill-rate', 0),
  deleteRate: number('delete-rate', 0),
  truncateRate: number('truncate-rate', 0),
  keep: values.keep === true,
  store: values.store === true,
};
const { report, dir, seconds } = await runTorture({
  ...options,
  progress: (line) => console.error(`torture: ${line}`),
});
const context = options.store
  ? `torture --store ${backend} ${seconds.toFixed(1)} s, ${options.workers} workers x ${options.tasks} tasks, one counter`
  : `torture ${backend} ${seconds.toFixed(1)} s, ${options.workers} workers x ${options.tasks} tasks, ${options.keys} lock files`;
console.log('acknowledged' in report ? storeSummary(report, context) : summary(report, context));
for (const detail of report.details) console.log(`  ${detail}`);
if (dir) console.log(`  log and lock files kept in ${dir}`);
process.send?.({ type: 'result', report, seconds });
process.exit(report.violations > 0 ? 1 : 0);
