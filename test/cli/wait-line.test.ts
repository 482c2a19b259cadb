import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WaitLine } from '../../src/cli/wait-line.js';
import { lock } from '../../src/index.js';
import { killChildrenAfter } from '../helpers/children.js';
import { captureCli, missing, onTerminal } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

killChildrenAfter();
const dir = tempDir('locksmith-cli-wait-');
const noScript = await missing('script');

const ERASE = '\r\x1b[2K';
const YELLOW = '\x1b[33m';

describe('the wait line on a terminal', { skip: noScript, timeout: 60_000 }, () => {
  it('is one coloured line on stderr, redrawn in place, erased when the lock is taken', async () => {
    const file = path.join(dir, 'today.md');
    const held = await lock(file);
    const run = onTerminal(['run', '-w', '60', file, '--', 'echo', 'ran']);
    // The first draw says "waiting 0s"; a later redraw of the same line says more.
    await run.output(/waiting [1-9]\d*s for/);
    await held.release();
    const { code, stdout } = await run.exited;
    assert.equal(code, 0, stdout);
    assert.ok(
      stdout.includes(`${YELLOW}locksmith: waiting 0s for ${file}.lock, held by pid ${process.pid} `),
      stdout,
    );
    const draws = stdout.split(ERASE).length - 1;
    assert.ok(draws >= 3, `drawn, redrawn and erased: ${JSON.stringify(stdout)}`);
    // Everything before "ran" is on one terminal line: the wait line never printed a newline.
    assert.ok(!stdout.slice(0, stdout.indexOf('ran')).includes('\n'), JSON.stringify(stdout));
    assert.ok(stdout.slice(stdout.lastIndexOf(ERASE)).startsWith(`${ERASE}ran`), JSON.stringify(stdout));
  });

  it('has no colour with NO_COLOR, and is not shown at all with --quiet', async () => {
    const file = path.join(dir, 'retro.md');
    await using _held = await lock(file);
    const [plain, quiet] = await Promise.all([
      onTerminal(['run', '-w', '0.5', file, '--', 'echo', 'ran'], { NO_COLOR: '1' }).exited,
      onTerminal(['run', '-q', '-w', '0.5', file, '--', 'echo', 'ran']).exited,
    ]);
    assert.equal(plain.code, 1, plain.stdout);
    assert.ok(
      plain.stdout.includes(`${ERASE}locksmith: waiting 0s for ${file}.lock`),
      JSON.stringify(plain.stdout),
    );
    assert.ok(!plain.stdout.includes('\x1b[3'), JSON.stringify(plain.stdout));
    assert.equal(quiet.code, 1, quiet.stdout);
    assert.ok(!quiet.stdout.includes('waiting'), JSON.stringify(quiet.stdout));
    assert.match(quiet.stdout, /was not acquired within 500 ms/);
  });
});

describe('WaitLine', { timeout: 10_000 }, () => {
  it('cuts the line to the terminal width, so that redrawing it with \\r works', () => {
    const cli = captureCli({ tty: true, env: { NO_COLOR: '1' } });
    const line = new WaitLine(cli.stderr, false);
    line.onWait({ path: '/x/a', lockfilePath: `/x/${'long-name-'.repeat(20)}.lock` });
    line.done();
    const [drawn] = cli.err.split(ERASE).filter(Boolean);
    assert.equal(drawn?.length, 79);
    assert.ok(drawn?.startsWith('locksmith: waiting 0s for /x/long-name-'));
    assert.ok(drawn?.endsWith('…'));
    assert.ok(cli.err.endsWith(ERASE), 'erased when done');
  });

  it('prints nothing when quiet', () => {
    const cli = captureCli({ tty: true });
    const line = new WaitLine(cli.stderr, true);
    line.onWait({ path: '/x/a', lockfilePath: '/x/a.lock' });
    line.done();
    assert.equal(cli.err, '');
  });
});
