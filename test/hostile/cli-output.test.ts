// Issue 17 row 5: text from files or other processes (check-out messages, file names, a forged lock
// record's host name and command, a holder's own command line) never reaches the terminal with its
// control characters: checkout, checkin, break, locks (table and JSON), status (text and JSON), run -n.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { killChildrenAfter, spawnCommand } from '../helpers/children.js';
import { runCli, startCli } from '../helpers/cli.js';
import { scene } from './plant.js';

killChildrenAfter();

const ESC = '\x1b';
const EVIL = `${ESC}]0;pwned\x07${ESC}[2J\x9b31m`;
const me = process.getuid?.() ?? 0;
const NO_COLOR = { NO_COLOR: '1' };

function assertNoControl(text: string, what: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.exec(text);
  assert.equal(raw, null, `${what} printed a raw control character: ${JSON.stringify(text)}`);
}

describe('hostile shared folder: what the CLI prints', { timeout: 600_000 }, () => {
  it('check-out messages and file names with escape sequences are printed escaped', async () => {
    const s = scene(me);
    const name = `gear${ESC}[8m.mcam`;
    fs.writeFileSync(path.join(s.shared, name), 'g');
    const out = await runCli(
      ['checkout', name, '--owner', 'alice', '-m', `fixing${EVIL}`, '--root', s.shared],
      { env: NO_COLOR },
    );
    assert.equal(out.code, 0, out.stderr);
    assertNoControl(out.stdout, 'checkout');
    assert.match(out.stdout, /gear\\e\[8m\.mcam .*fixing\\e\]0;pwned\\x07\\e\[2J\\x9b31m/);
    const refused = await runCli(['checkout', name, '--owner', 'bob', '--root', s.shared], { env: NO_COLOR });
    assert.equal(refused.code, 1);
    assertNoControl(refused.stderr, 'a refused checkout');
    for (const args of [['locks'], ['locks', '--json']]) {
      const listed = await runCli([...args, '--root', s.shared], { env: NO_COLOR });
      assertNoControl(listed.stdout, args.join(' '));
    }
    const broken = await runCli(['break', name, '--reason', 'away', '--root', s.shared], { env: NO_COLOR });
    assert.equal(broken.code, 0, broken.stderr);
    assertNoControl(broken.stdout, 'break');
    await runCli(['checkout', name, '--owner', 'alice', '--root', s.shared]);
    const checkedIn = await runCli(['checkin', name, '--owner', 'alice', '--root', s.shared], {
      env: NO_COLOR,
    });
    assert.equal(checkedIn.code, 0, checkedIn.stderr);
    assertNoControl(checkedIn.stdout, 'checkin');
  });

  it("a forged lock record's host name and a holder's command line are printed escaped by status and run -n", async () => {
    const s = scene(me);
    // A record forged in locksmith's own form (anything else is someone's data, never read as a holder),
    // written by hand into a lock file that another tool (flock) holds.
    const forged = path.join(s.shared, 'forged');
    const since = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const record = { state: 'held', pid: 1, hostname: `host${EVIL}`, command: `vi${EVIL}`, since };
    fs.writeFileSync(`${forged}.lock`, `${JSON.stringify(record)}\n`);
    const flock = spawnCommand('flock', ['--shared', `${forged}.lock`, '-c', 'echo held; exec sleep 60']);
    await flock.line('held');
    // A locksmith holder whose own command line carries the sequence.
    const argv = path.join(s.shared, 'argv');
    const holder = startCli(['run', argv, '--', 'sh', '-c', 'echo held; exec sleep 60', EVIL], {
      timeout: 60_000,
    });
    await holder.output('held');
    for (const target of [forged, argv]) {
      for (const args of [
        ['status', target],
        ['status', '--json', target],
        ['run', '-n', target, '--', 'true'],
      ]) {
        const result = await runCli(args, { env: NO_COLOR });
        assertNoControl(result.stdout + result.stderr, args.slice(0, 2).join(' '));
        assert.match(result.stdout + result.stderr, /pwned/, `${args.join(' ')} shows no holder`);
      }
    }
    holder.kill();
    flock.kill();
  });
});
