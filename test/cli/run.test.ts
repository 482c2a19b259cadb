import assert from 'node:assert/strict';
import { unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { lock, tryLock } from '../../src/index.js';
import { FIXTURES, killChildrenAfter } from '../helpers/children.js';
import { missing, onTerminal, runCli, start, startCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

killChildrenAfter();
const dir = tempDir('locksmith-cli-run-');
let count = 0;
/** A fresh path in the test folder (its lock file is path + '.lock'). */
const fresh = (name = 'file') => path.join(dir, `${name}-${++count}.txt`);
const SIGNAL_CHILD = path.join(FIXTURES, 'signal-child.mjs');

/** util-linux flock(1) is how shell users lock today; the interop tests need it. */
const flockMissing = await missing('flock');
const noScript = await missing('script');

/** The status of `flock -n LOCKFILE true`: 0 when it could take the lock, 1 when it is held. */
async function flockNonblock(lockfile: string): Promise<number | null> {
  return (await start(['flock', '-n', lockfile, 'true']).exited).code;
}

/** Whether this process can take every lock at once (and gives them back). */
async function allFree(paths: string[]): Promise<boolean> {
  const handles = await Promise.all(paths.map((p) => tryLock(p)));
  await Promise.all(handles.map((h) => h?.release()));
  return handles.every((h) => h !== undefined);
}

// The bound is the whole suite's: its 16 tests of child processes take about a minute on a quiet machine,
// and went past 120 s beside 8 busy loops on 2 cores (issue 20's load test).
describe('locksmith run', { timeout: 480_000 }, () => {
  it('runs the command holding the lock, and exits with its status', { skip: flockMissing }, async () => {
    const file = fresh();
    // Inside the command, util-linux flock finds the lock taken: the same lock, across tools.
    const result = await runCli([
      'run',
      file,
      '--',
      'sh',
      '-c',
      'flock -n "$1" true; echo "flock says $?"; exit 42',
      'sh',
      `${file}.lock`,
    ]);
    assert.equal(result.stdout, 'flock says 1\n', result.stderr);
    assert.equal(result.code, 42);
    assert.equal(await flockNonblock(`${file}.lock`), 0, 'released after the command');
  });

  it('passes SIGINT, SIGTERM and SIGHUP on to the command, and exits 128 + N if N kills it', async () => {
    const killed = runCli(['run', fresh(), '--', 'sh', '-c', 'kill -TERM $$']);
    await Promise.all(
      (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map(async (signal) => {
        const run = startCli(['run', fresh(), '--', process.execPath, SIGNAL_CHILD, 'exit-on-signal']);
        await run.output('ready');
        run.kill(signal);
        const result = await run.exited;
        assert.equal(result.stdout, `ready\ngot ${signal}\n`, `${signal}: ${result.stderr}`);
        assert.equal(result.code, 40 + os.constants.signals[signal], `${signal}: ${result.stderr}`);
      }),
    );
    const result = await killed;
    assert.equal(result.code, 128 + os.constants.signals.SIGTERM, result.stderr);
  });

  it('on a terminal, Ctrl-C reaches the command, and locksmith holds the lock until it exits', {
    skip: noScript,
  }, async () => {
    const file = fresh();
    const run = onTerminal(['run', file, '--', process.execPath, SIGNAL_CHILD]);
    await run.output('ready');
    // The terminal sends SIGINT to its whole foreground group, locksmith and the command, and locksmith
    // passes its own on: the command gets one or two (the kernel merges a signal that is still pending).
    run.write('\x03');
    await run.output('got SIGINT');
    assert.equal(await allFree([file]), false, 'locksmith did not die or release early');
    run.write('exit\r');
    const result = await run.exited;
    assert.equal(result.code, 0, result.stdout);
    assert.equal(await allFree([file]), true);
  });

  it('keeps the lock after forwarding a signal, until the command exits', async () => {
    const file = fresh();
    const run = startCli(['run', file, '--', process.execPath, SIGNAL_CHILD]);
    await run.output('ready');
    run.kill('SIGTERM');
    await run.output('got SIGTERM');
    assert.equal(await allFree([file]), false, 'still held while the command runs');
    run.write('exit\n');
    const result = await run.exited;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await allFree([file]), true);
  });

  it('-n fails at once with the conflict status, naming the holder, and runs nothing', async () => {
    const file = fresh();
    await using _held = await lock(file);
    const result = await runCli(['run', '-n', file, '--', 'echo', 'ran']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`${file}\\.lock is busy: held by pid ${process.pid} `));
  });

  it('-E sets the conflict status, for -n and for -w', async () => {
    const file = fresh();
    await using _held = await lock(file);
    const nonblock = await runCli(['run', '-n', '-E', '9', file, '--', 'echo', 'ran']);
    assert.equal(nonblock.code, 9, nonblock.stderr);
    const timeout = await runCli(['run', '-w', '0.2', '--conflict-exit-code=7', file, '--', 'echo', 'ran']);
    assert.equal(timeout.code, 7, timeout.stderr);
    assert.match(timeout.stderr, /was not acquired within 200 ms: held by pid/);
    assert.equal(timeout.stdout, '');
  });

  it('-w waits, with one line on stderr naming the holder, and runs the command once the lock is free', async () => {
    const file = fresh();
    const held = await lock(file);
    const run = startCli(['run', '-w', '60', file, '--', 'echo', 'ran']);
    await run.output(`waiting 0s for ${file}.lock, held by pid ${process.pid} `, 'stderr');
    await held.release();
    const result = await run.exited;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'ran\n');
    // Not a terminal: one line when the wait starts, never redrawn.
    assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
    assert.ok(!result.stderr.includes('\r') && !result.stderr.includes('\x1b['), 'no redraw, no colour');
  });

  it('--quiet prints no wait line (errors are still printed)', async () => {
    const file = fresh();
    await using _held = await lock(file);
    const result = await runCli(['run', '-q', '-w', '0.1', file, '--', 'echo', 'ran']);
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stderr, /waiting/);
    assert.match(result.stderr, /was not acquired within 100 ms/);
  });

  it('locks several paths all-or-nothing: one held, none stays locked', async () => {
    const [a, b, c] = [fresh('a'), fresh('b'), fresh('c')];
    await using _held = await lock(b!);
    const result = await runCli(['run', '-n', a!, b!, c!, '--', 'echo', 'ran']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`${b}\\.lock is busy: held by pid ${process.pid} `));
    assert.equal(await allFree([a!, c!]), true, 'a and c were released (or never taken)');
  });

  it('holds every path while the command runs, and a SIGKILLed locksmith leaves nothing locked', async () => {
    const [a, b] = [fresh('a'), fresh('b')];
    const run = startCli(['run', a!, b!, '--', 'sh', '-c', 'echo ready; read line']);
    await run.output('ready');
    assert.equal(await allFree([a!]), false);
    assert.equal(await allFree([b!]), false);
    run.kill('SIGKILL');
    // The orphaned `sh` reads end-of-file and exits: Node closes the stdin pipe when locksmith exits.
    await run.exited;
    assert.equal(await allFree([a!, b!]), true);
  });

  it('a signal while waiting stops the wait: 128 + N, the command never runs', async () => {
    const file = fresh();
    await using _held = await lock(file);
    const run = startCli(['run', file, '--', 'echo', 'ran']);
    await run.output(/waiting \d+s for/, 'stderr');
    run.kill('SIGINT');
    const result = await run.exited;
    assert.equal(result.code, 128 + os.constants.signals.SIGINT, result.stderr);
    assert.equal(result.stdout, '');
  });

  it('waits for and excludes util-linux `flock` on the same lock file', { skip: flockMissing }, async () => {
    const file = fresh();
    // -o: flock itself holds the lock, not the shell it runs, so ending flock's command releases it.
    const holder = start(['flock', '-o', `${file}.lock`, 'sh', '-c', 'echo ready; read line']);
    await holder.output('ready');
    const busy = await runCli(['run', '-n', '--lockfile', `${file}.lock`, '--', 'echo', 'ran']);
    assert.equal(busy.code, 1);
    // flock records nothing: the kernel's table of locks names it, without a time.
    assert.match(
      busy.stderr,
      new RegExp(`is busy: held by pid ${holder.pid} \\(flock -o .*\\) on \\S+$`, 'm'),
    );
    const waiting = startCli(['run', '-w', '60', file, '--', 'echo', 'ran']);
    await waiting.output(`held by pid ${holder.pid} (flock -o`, 'stderr');
    await waiting.output('(it recorded nothing: time unknown)', 'stderr');
    holder.write('done\n');
    assert.equal((await holder.exited).code, 0);
    const result = await waiting.exited;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'ran\n');
  });

  it('--lockfile locks that exact file, together with the paths', { skip: flockMissing }, async () => {
    const lockfile = path.join(dir, 'exact.lck');
    const file = fresh();
    const result = await runCli([
      'run',
      '--lockfile',
      lockfile,
      file,
      '--',
      'sh',
      '-c',
      'flock -n "$1" true; echo $?; flock -n "$2" true; echo $?',
      'sh',
      lockfile,
      `${file}.lock`,
    ]);
    assert.equal(result.stdout, '1\n1\n', result.stderr);
    assert.equal(result.code, 0);
  });

  it('-s takes a shared lock: other shared holders get in, an exclusive one does not', async () => {
    const file = fresh();
    const run = startCli(['run', '-s', file, '--', 'sh', '-c', 'echo ready; read line']);
    await run.output('ready');
    const shared = await tryLock(file, { shared: true });
    assert.ok(shared, 'a second shared holder gets in');
    await shared.release();
    assert.equal(await tryLock(file), undefined, 'an exclusive one does not');
    run.write('done\n');
    assert.equal((await run.exited).code, 0);
  });

  it('warns when a lock is lost while the command runs (its lock file removed), and lets it finish', async () => {
    const file = fresh();
    const run = startCli(['run', file, '--', 'sh', '-c', 'echo ready; read line; echo finished']);
    await run.output('ready');
    unlinkSync(`${file}.lock`);
    await run.output(`locksmith: warning: Lock ${file}.lock was lost: `, 'stderr');
    run.write('go on\n');
    const result = await run.exited;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'ready\nfinished\n');
  });

  it('a command that cannot be found exits 127', async () => {
    const result = await runCli(['run', fresh(), '--', 'no-such-command-locksmith']);
    assert.equal(result.code, 127);
    assert.match(result.stderr, /cannot run no-such-command-locksmith: command not found/);
  });
});
