// The registry commands: as functions of their parsed arguments (what they print, the exit status), then
// through `main` (the command line), and once as a real process.
import assert from 'node:assert/strict';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { breakCommand } from '../../src/cli/break.js';
import { checkinCommand } from '../../src/cli/checkin.js';
import { checkoutCommand } from '../../src/cli/checkout.js';
import { rootOf } from '../../src/cli/checkout-common.js';
import { locksCommand } from '../../src/cli/locks.js';
import { main } from '../../src/cli/main.js';
import { openCheckouts } from '../../src/index.js';
import { killChildrenAfter } from '../helpers/children.js';
import { captureCli, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

killChildrenAfter();

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (t: string) => void out.push(t) },
      stderr: { write: (t: string) => void err.push(t) },
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

const base = tempDir('locksmith-cli-checkout-');
let count = 0;
function makeRoot(): string {
  const root = path.join(base, `root-${++count}`);
  mkdirSync(path.join(root, 'parts'), { recursive: true });
  writeFileSync(path.join(root, 'bracket.mcam'), 'x'.repeat(2048));
  writeFileSync(path.join(root, 'parts', 'gear.mcam'), 'g');
  writeFileSync(path.join(root, 'notes.txt'), 'n');
  return root;
}

describe('locksmith checkout / checkin / locks / break', { timeout: 60_000 }, () => {
  it('checkout then a conflicting checkout: exit 1, the holder named on stderr', async () => {
    const root = makeRoot();
    const alice = capture();
    assert.equal(
      await checkoutCommand(alice.io, { file: 'bracket.mcam', message: 'holes', owner: 'alice', root }),
      0,
    );
    assert.match(
      alice.out(),
      /^Checked out bracket\.mcam as alice since \d{4}-\d\d-\d\d \d\d:\d\d: "holes"\n$/,
    );
    assert.equal(alice.err(), '');

    const bob = capture();
    assert.equal(await checkoutCommand(bob.io, { file: 'bracket.mcam', owner: 'bob', root }), 1);
    assert.equal(bob.out(), '');
    assert.match(bob.err(), /^locksmith: bracket\.mcam is checked out by alice since \S+: "holes"\n$/);
  });

  it('checkin: only the holder (exit 1 otherwise, the holder named), then the file is available', async () => {
    const root = makeRoot();
    await checkoutCommand(capture().io, { file: 'bracket.mcam', owner: 'alice', root });
    const bob = capture();
    assert.equal(await checkinCommand(bob.io, { file: 'bracket.mcam', owner: 'bob', root }), 1);
    assert.match(bob.err(), /bob cannot check in bracket\.mcam: it is checked out by alice/);
    const alice = capture();
    assert.equal(await checkinCommand(alice.io, { file: 'bracket.mcam', owner: 'alice', root }), 0);
    assert.equal(alice.out(), 'Checked in bracket.mcam (alice)\n');
    const again = capture();
    assert.equal(await checkinCommand(again.io, { file: 'bracket.mcam', owner: 'alice', root }), 1);
    assert.match(again.err(), /bracket\.mcam is not checked out/);
  });

  it('break: recorded with the reason; the former holder is named', async () => {
    const root = makeRoot();
    await checkoutCommand(capture().io, { file: 'bracket.mcam', owner: 'alice', message: 'm', root });
    const admin = capture();
    assert.equal(
      await breakCommand(admin.io, { file: 'bracket.mcam', reason: 'alice left', by: 'carol', root }),
      0,
    );
    assert.match(admin.out(), /^Broke alice's check-out of bracket\.mcam \(since [^)]*: "m"\); recorded in/);
    const { events } = await openCheckouts(root).history();
    assert.deepEqual(
      events.map((e) => [
        e.event,
        e.event === 'reverted' ? undefined : e.by,
        e.event === 'break' ? e.reason : undefined,
      ]),
      [
        ['checkout', 'alice', undefined],
        ['break', 'carol', 'alice left'],
      ],
    );
  });

  it('locks: a table with file, size, modified, status, owner, since, message; --ext; --json', async () => {
    const root = makeRoot();
    await checkoutCommand(capture().io, {
      file: 'parts/gear.mcam',
      owner: 'alice',
      message: 'new\nteeth',
      root,
    });
    const table = capture();
    assert.equal(await locksCommand(table.io, { root, ext: '.mcam' }), 0);
    const lines = table.out().trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^FILE +SIZE +MODIFIED +STATUS +OWNER +SINCE +MESSAGE$/);
    assert.match(lines[1]!, /^bracket\.mcam +2\.0 KiB +\d{4}-\d\d-\d\d \d\d:\d\d +available$/);
    assert.match(
      lines[2]!,
      /^parts\/gear\.mcam +1 B +\d{4}-\d\d-\d\d \d\d:\d\d +checked-out +alice +\d{4}-\d\d-\d\d \d\d:\d\d +new\\nteeth$/,
    );

    const json = capture();
    assert.equal(await locksCommand(json.io, { root, json: true }), 0);
    const entries = JSON.parse(json.out());
    assert.deepEqual(
      entries.map((e: { name: string; status: string }) => [e.name, e.status]),
      [
        ['bracket.mcam', 'available'],
        ['notes.txt', 'available'],
        ['parts/gear.mcam', 'checked-out'],
      ],
    );
    assert.equal(entries[2].owner, 'alice');
    assert.equal(entries[2].message, 'new\nteeth');
    assert.ok(!Number.isNaN(Date.parse(entries[2].checkedOutAt)));
    assert.equal(entries[0].sizeBytes, 2048);
  });

  it('file names: relative to the current folder inside the root, else to the root', async () => {
    const root = makeRoot();
    const inside = capture();
    assert.equal(
      await checkoutCommand(inside.io, {
        file: 'gear.mcam',
        owner: 'a',
        root,
        cwd: path.join(root, 'parts'),
      }),
      0,
    );
    assert.match(inside.out(), /Checked out parts\/gear\.mcam/);
    const outside = capture();
    assert.equal(await checkoutCommand(outside.io, { file: 'bracket.mcam', owner: 'a', root, cwd: base }), 0);
    assert.match(outside.out(), /Checked out bracket\.mcam/);
    const fromRoot = capture();
    assert.equal(await checkinCommand(fromRoot.io, { file: 'parts/gear.mcam', owner: 'a', cwd: root }), 0);
  });

  it('without --root: the nearest folder up with .locksmith/, else the current folder', async () => {
    const root = makeRoot();
    const parts = path.join(root, 'parts');
    assert.equal(rootOf({ cwd: parts }), parts, 'no registry anywhere up: the current folder');
    await checkoutCommand(capture().io, { file: 'bracket.mcam', owner: 'a', root });
    assert.equal(rootOf({ cwd: parts }), root);
    assert.equal(rootOf({ cwd: parts, root: '.' }), parts, '--root wins');
    unlinkSync(path.join(root, '.locksmith', 'checkouts.json'));
    assert.equal(rootOf({ cwd: parts }), root, 'a deleted registry file is still found, to be reported');
    const lost = capture();
    assert.equal(await locksCommand(lost.io, { cwd: parts }), 65);
    assert.match(lost.err(), /checkouts\.json is missing/);
  });

  it('exit statuses: 64 for an escape, 66 for a missing file, 65 for a corrupt registry', async () => {
    const root = makeRoot();
    const escaped = capture();
    assert.equal(await checkoutCommand(escaped.io, { file: '../x.mcam', root, cwd: root }), 64);
    assert.match(escaped.err(), /leads out of the root/);
    const missing = capture();
    assert.equal(await checkoutCommand(missing.io, { file: 'nope.mcam', root }), 66);
    assert.match(missing.err(), /nope\.mcam does not exist/);
    const noRoot = capture();
    assert.equal(await locksCommand(noRoot.io, { root: path.join(root, 'nope') }), 64);
    await checkoutCommand(capture().io, { file: 'bracket.mcam', owner: 'a', root });
    writeFileSync(path.join(root, '.locksmith', 'checkouts.json'), '{"version": 1,');
    const corrupt = capture();
    assert.equal(await locksCommand(corrupt.io, { root }), 65);
    assert.match(corrupt.err(), /checkouts\.json:1:\d+ is corrupt/);
    assert.equal(corrupt.out(), '');
  });
});

describe('locksmith checkout / checkin / locks / break on the command line', { timeout: 60_000 }, () => {
  it('parses the options of each command', async () => {
    const root = makeRoot();
    const alice = captureCli();
    assert.equal(
      await main(['checkout', 'bracket.mcam', '-m', 'holes', '--owner', 'alice', '--root', root], alice),
      0,
      alice.err,
    );
    assert.match(alice.out, /^Checked out bracket\.mcam as alice since .*: "holes"\n$/);

    const bob = captureCli();
    assert.equal(await main(['checkout', 'bracket.mcam', '--owner', 'bob', '--root', root], bob), 1);
    assert.match(bob.err, /bracket\.mcam is checked out by alice since \S+: "holes"/);

    const table = captureCli();
    assert.equal(await main(['locks', '--root', root, '--ext', '.mcam'], table), 0);
    assert.match(table.out, /^bracket\.mcam +2\.0 KiB +\S+ \S+ +checked-out +alice +\S+ \S+ +holes$/m);
    assert.doesNotMatch(table.out, /notes\.txt/);
    assert.ok(!table.out.includes('\x1b['), 'no colour off a terminal');
    const json = captureCli();
    assert.equal(await main(['locks', '--root', root, '--json'], json), 0);
    assert.equal(JSON.parse(json.out).length, 3);

    const noReason = captureCli();
    assert.equal(await main(['break', 'bracket.mcam', '--root', root], noReason), 64);
    assert.match(noReason.err, /required option '--reason <text>' not specified/);
    const admin = captureCli();
    assert.equal(
      await main(['break', 'bracket.mcam', '--reason', 'away', '--by', 'carol', '--root', root], admin),
      0,
      admin.err,
    );
    assert.match(admin.out, /^Broke alice's check-out of bracket\.mcam/);
    await main(['checkout', 'bracket.mcam', '--owner', 'bob', '--root', root], captureCli());
    const checkin = captureCli();
    assert.equal(await main(['checkin', 'bracket.mcam', '--owner', 'bob', '--root', root], checkin), 0);
    assert.equal(checkin.out, 'Checked in bracket.mcam (bob)\n');
  });

  it('colours the status on a terminal, and lists the commands in --help', async () => {
    const root = makeRoot();
    await main(['checkout', 'notes.txt', '--owner', 'a', '--root', root], captureCli());
    const tty = captureCli({ tty: true });
    assert.equal(await main(['locks', '--root', root], tty), 0);
    assert.ok(tty.out.includes('\x1b[31mchecked-out\x1b[39m'), tty.out);
    assert.ok(tty.out.includes('\x1b[32mavailable  \x1b[39m'), tty.out);
    const help = captureCli();
    assert.equal(await main(['--help'], help), 0);
    for (const command of ['checkout', 'checkin', 'locks', 'break'])
      assert.match(help.out, new RegExp(`^  ${command} `, 'm'));
    const checkoutHelp = captureCli();
    assert.equal(await main(['checkout', '--help'], checkoutHelp), 0);
    assert.match(checkoutHelp.out, /66 +the file does not exist/);
  });

  it('as a real process, from inside the folder: a conflict exits 1 naming the holder', async () => {
    const root = makeRoot();
    await main(
      ['checkout', 'parts/gear.mcam', '--owner', 'alice', '-m', 'teeth', '--root', root],
      captureCli(),
    );
    const result = await runCli(['checkout', 'gear.mcam', '--owner', 'bob'], {
      cwd: path.join(root, 'parts'),
    });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /^locksmith: parts\/gear\.mcam is checked out by alice since \S+: "teeth"\n$/,
    );
  });
});
