// Many lock files must not exhaust the process's descriptors (issue 17, row 7, kernel part): released
// descriptors past the idle cache's cap are closed at once, and a lockAll that runs out of descriptors
// leaves the process able to open files once its locks are released.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FIXTURES } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

const run = promisify(execFile);
const FIXTURE = path.join(FIXTURES, 'lock-descriptors.ts');
/** Idle descriptors the kernel backend may keep for reuse (its MAX_IDLE), plus a few of the runtime's. */
const KEPT = 64 + 8;

interface Report {
  baseline: number;
  held?: number;
  after: number;
  failed?: string;
  readable: boolean;
}

const linux = process.platform === 'linux' ? false : 'counts descriptors in /proc/self/fd (Linux)';

describe('descriptors of many lock files', { timeout: 120_000, skip: linux }, () => {
  it('after lockAll of 1 000 paths and release, the open descriptors return near the baseline', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', FIXTURE, tempDir(), '1000'], {
      timeout: 100_000,
      killSignal: 'SIGKILL',
    });
    const report = JSON.parse(stdout) as Report;
    assert.equal(report.failed, undefined);
    assert.ok(report.held! >= report.baseline + 990, `held ${report.held}`);
    assert.ok(
      report.after <= report.baseline + KEPT,
      `${report.after} open after release (baseline ${report.baseline})`,
    );
  });

  it('with ulimit -n 300, a lockAll of 400 paths fails cleanly and the process can read files after', async () => {
    const command = `ulimit -n 300 && exec "$0" --import tsx "$1" "$2" 400`;
    const { stdout } = await run('sh', ['-c', command, process.execPath, FIXTURE, tempDir()], {
      timeout: 100_000,
      killSignal: 'SIGKILL',
    });
    const report = JSON.parse(stdout) as Report;
    assert.equal(report.failed, 'LOCK_IO', 'out of descriptors: a typed error');
    assert.ok(report.readable, 'a file can be read once the locks are released');
    assert.ok(report.after <= report.baseline + KEPT, `${report.after} open (baseline ${report.baseline})`);
  });
});
