import { CLI, ensureBuilt, ONE_SHOT_SUBJECTS, oneShot, timed } from '../lib/one-shot.js';
import type { Figure } from './figure.js';

/**
 * Start-up: what a one-shot process pays, nobody else wanting the lock: the process from spawn to exit
 * against a bare `node -e 0` measured just before it, the import and the first lock + release inside it,
 * its CPU; for locksmith also its CLI (`locksmith run FILE -- true`), for flock(1) `flock FILE true`.
 */
export const startup: Figure = {
  id: 'startup',
  number: 8,
  title: 'Start-up: one-shot process, import + first lock + release',
  short: 'start-up ms',
  describe: () =>
    'A fresh process imports the library (locksmith from dist/, as installed), takes and releases one uncontended lock, exits. Wall = spawn to exit; "× node -e 0" = that wall over a bare `node -e 0` run just before it; import and first lock + release are timed inside the process; CPU is the whole process\'s. For locksmith, its CLI `locksmith run FILE -- true` too (on Node 20 without a compile cache); flock(1) runs `flock FILE true`.',
  metrics: [
    { key: 'ms', label: 'wall ms', better: 'lower' },
    { key: 'node', label: '× node -e 0', better: 'lower' },
    { key: 'import', label: 'import ms', better: 'lower' },
    { key: 'lock', label: 'first lock+release ms', better: 'lower' },
    { key: 'cpu', label: 'CPU ms', better: 'lower' },
    { key: 'cli', label: 'CLI run × node -e 0', better: 'lower' },
  ],
  primary: 'ms',
  unsupported: (subject) =>
    ONE_SHOT_SUBJECTS.has(subject.id)
      ? undefined
      : 'the one-shot figures measure locksmith and three anchors',
  async measure(subject, context) {
    ensureBuilt();
    const target = context.scratch();
    const bare = await timed(process.execPath, ['-e', '0']);
    const run =
      subject.kind === 'node'
        ? await oneShot(subject, target, 0)
        : await timed('flock', [`${target}.lock`, 'true']);
    const values: Record<string, number> = { ms: run.wallMs, node: run.wallMs / bare.wallMs };
    if (run.report) {
      values.import = run.report.importMs;
      values.lock = run.report.lockMs;
      values.cpu = run.report.cpuMs;
    }
    if (subject.id === 'locksmith') {
      const bareAgain = await timed(process.execPath, ['-e', '0']);
      const cli = await timed(process.execPath, [CLI, 'run', target, '--', 'true']);
      values.cli = cli.wallMs / bareAgain.wallMs;
    }
    return { values };
  },
};
