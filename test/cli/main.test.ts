import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { killChildrenAfter } from '../helpers/children.js';
import { captureCli, runCli, startCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

killChildrenAfter();

const dir = tempDir('locksmith-cli-main-');

describe('locksmith (the program)', { timeout: 60_000 }, () => {
  it('--help lists the commands; run --help documents every exit status', async () => {
    const cli = captureCli();
    assert.equal(await main(['--help'], cli), 0);
    assert.match(cli.out, /run \[options\] <path>\.\.\. -- <command> \[args\.\.\.\]/);
    assert.match(cli.out, /status \[options\] \[path\.\.\.\]/);
    const run = captureCli();
    assert.equal(await main(['run', '--help'], run), 0);
    for (const status of ['1', '64', '69', '70', '73', '74', '126', '127', '128 \\+ N']) {
      assert.match(run.out, new RegExp(`^  ${status} +\\S`, 'm'), `exit status ${status} is documented`);
    }
    const help = captureCli();
    assert.equal(await main(['help', 'status'], help), 0);
    assert.match(help.out, /--json/);
  });

  it('--version prints the package version', async () => {
    const cli = captureCli();
    assert.equal(await main(['--version'], cli), 0);
    assert.match(cli.out, /^\d+\.\d+\.\d+/);
  });

  it('usage errors exit 64 with the reason on stderr and nothing on stdout', async () => {
    const file = path.join(dir, 'f.txt');
    const folder = path.join(dir, 'a-folder');
    mkdirSync(folder);
    const cases: [string[], RegExp][] = [
      [[], /Usage: locksmith/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['run', file], /missing "--" between the paths and the command/],
      [['run', file, '--'], /missing the command after "--"/],
      [['run', '--', 'echo'], /nothing to lock/],
      [['run', '-n', '-w', '1', file, '--', 'echo'], /cannot be used with/],
      [['run', '-w', 'soon', file, '--', 'echo'], /expected a number of seconds/],
      [['run', '-w', '-1', file, '--', 'echo'], /./],
      [['run', '-E', '256', file, '--', 'echo'], /exit status from 0 to 255/],
      [['run', '--bogus', file, '--', 'echo'], /unknown option '--bogus'/],
      [['run', '--lockfile', '--', file, '--', 'echo'], /--lockfile needs a file name/],
      [['run', folder, '--', 'echo'], /is a folder/],
      [['status'], /give at least one <path> or --lockfile/],
      [['status', '--bogus', file], /unknown option/],
    ];
    for (const [argv, message] of cases) {
      const cli = captureCli();
      assert.equal(await main(argv, cli), 64, `${argv.join(' ')}: ${cli.err}`);
      assert.equal(cli.out, '', argv.join(' '));
      assert.match(cli.err, message, argv.join(' '));
    }
  });

  it('a lock folder that cannot be created exits 73, and runs nothing', async () => {
    const plainFile = path.join(dir, 'plain-file');
    writeFileSync(plainFile, '');
    const cli = captureCli();
    const target = path.join(plainFile, 'sub', 'x.txt');
    assert.equal(await main(['run', target, '--', 'no-such-command-locksmith'], cli), 73);
    assert.match(
      cli.err,
      /^locksmith: Lock folder .*plain-file\/sub cannot be created or accessed \(ENOTDIR\)/,
    );
  });

  it('a command that is not executable exits 126, and the lock is released', async () => {
    const script = path.join(dir, 'not-executable.sh');
    writeFileSync(script, 'echo hi\n', { mode: 0o644 });
    const cli = captureCli();
    const file = path.join(dir, 'h.txt');
    assert.equal(await main(['run', file, '--', script], cli), 126);
    assert.match(cli.err, /cannot run .*not-executable\.sh: EACCES/);
    const status = captureCli();
    await main(['status', file], status);
    assert.match(status.out, /: free$/m);
  });

  it('the real process gives the same statuses (64 for usage)', async () => {
    const result = await runCli(['run', path.join(dir, 'g.txt'), 'echo']);
    assert.equal(result.code, 64);
    assert.match(result.stderr, /missing "--"/);
  });

  it('a reader that goes away early is no error (`locksmith --help | head -1`)', async () => {
    const help = startCli(['--help']);
    help.process.stdout!.destroy(); // long before the CLI has started: its writes get EPIPE
    const result = await help.exited;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
  });
});
