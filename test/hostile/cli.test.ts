// Issue 17 rows 2, 4 and 5 from the shell: every command that opens a store or registry file ends at
// once, with a status and a message naming what was planted; a planted link is not followed without
// --follow-symlinks; SIGTERM and Ctrl-C end a command that waits; and text from files or other processes
// (check-out messages, file names, a lock record's host name, a holder's command line) never reaches the
// terminal with its control characters.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { killChildrenAfter, spawnCommand } from '../helpers/children.js';
import { runCli, startCli } from '../helpers/cli.js';
import { isRoot, plant, scene } from './plant.js';

killChildrenAfter();

const ESC = '\x1b';
const EVIL = `${ESC}]0;pwned\x07${ESC}[2J\x9b31m`;
const me = process.getuid?.() ?? 0;
const NO_COLOR = { NO_COLOR: '1' };

/** A shared folder with a.mcam and a `.locksmith/` whose `name` is a FIFO. */
function registryWithFifo(name: string): string {
  const s = scene(me);
  fs.writeFileSync(path.join(s.shared, 'a.mcam'), 'a');
  fs.mkdirSync(path.join(s.shared, '.locksmith'));
  if (name !== 'checkouts.json') {
    const registry = {
      version: 1,
      checkouts: { 'a.mcam': { owner: 'me', message: '', checkedOutAt: new Date().toISOString() } },
    };
    fs.writeFileSync(path.join(s.shared, '.locksmith', 'checkouts.json'), JSON.stringify(registry));
  }
  plant('fifo', path.join(s.shared, '.locksmith', name), s);
  return s.shared;
}

function assertNoControl(text: string, what: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.exec(text);
  assert.equal(raw, null, `${what} printed a raw control character: ${JSON.stringify(text)}`);
}

describe('hostile shared folder: the CLI', { timeout: 600_000 }, () => {
  it('config get, set and unset of a FIFO: status 74 at once, naming it; the lock is not kept', async () => {
    const s = scene(me);
    const file = path.join(s.shared, 'cfg.json');
    plant('fifo', file, s);
    const commands = [
      ['get', file],
      ['set', '-w', '1', file, 'a', '1'],
      ['unset', '-w', '1', file, 'a'],
    ];
    for (const args of commands) {
      const result = await runCli(['config', ...args], { timeout: 15_000 });
      assert.equal(result.code, 74, `config ${args[0]}: ${result.stderr}`);
      assert.match(result.stderr, /cfg\.json is a FIFO, not a regular file/);
    }
  });

  it('checkout, checkin, break and locks with a FIFO in .locksmith: status 74 at once', async () => {
    const cases: [string, string[]][] = [
      ['audit.jsonl', ['checkout', 'a.mcam', '--owner', 'me', '-m', 'a new message']],
      ['audit.jsonl', ['checkin', 'a.mcam', '--owner', 'me']],
      ['audit.jsonl', ['break', 'a.mcam', '--reason', 'away']],
      ['checkouts.json', ['locks']],
      ['checkouts.json', ['checkout', 'a.mcam']],
    ];
    for (const [name, args] of cases) {
      const root = registryWithFifo(name);
      const result = await runCli([...args, '--root', root], { timeout: 15_000 });
      assert.equal(result.code, 74, `${args[0]} with ${name} a FIFO: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`${name.replace('.', '\\.')} is a FIFO`));
    }
  });

  it('config set through a link another user planted: 77, the victim untouched; --follow-symlinks opts in', {
    skip: isRoot ? false : 'needs root to plant a link as another user',
  }, async () => {
    const s = scene(0);
    const file = path.join(s.shared, 'cfg.json');
    plant('symlink', file, s);
    const refused = await runCli(['config', 'set', file, 'pwned', 'true']);
    assert.equal(refused.code, 77, refused.stderr);
    assert.match(refused.stderr, /is a symbolic link .* --follow-symlinks/);
    assert.equal(fs.readFileSync(s.victim, 'utf8'), '{"secret":1}\n');
    assert.equal(fs.existsSync(`${s.victim}.lock`), false, 'a lock file was created beside the victim');
    const followed = await runCli(['config', 'get', file, 'secret', '--follow-symlinks']);
    assert.equal(followed.code, 0, followed.stderr);
    assert.equal(followed.stdout, '1\n');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} ends config set and checkout while they wait for a lock another process holds`, async () => {
      const s = scene(me);
      const file = path.join(s.shared, 'cfg.json');
      fs.mkdirSync(path.join(s.shared, '.locksmith'));
      fs.writeFileSync(path.join(s.shared, 'a.mcam'), 'a');
      const holders = [`${file}.lock`, path.join(s.shared, '.locksmith', 'checkouts.json.lock')].map(
        (lockfile) => spawnCommand('flock', [lockfile, '-c', 'echo held; exec sleep 60']),
      );
      for (const holder of holders) await holder.line('held');
      for (const args of [
        ['config', 'set', file, 'a', '1'],
        ['checkout', 'a.mcam', '--root', s.shared],
      ]) {
        const waiting = startCli(args, { timeout: 15_000 });
        waiting.kill(signal);
        const result = await waiting.exited;
        assert.ok(
          result.signal === signal || result.code === 128 + (signal === 'SIGTERM' ? 15 : 2),
          `${args[0]}: ${JSON.stringify(result)}`,
        );
      }
      for (const holder of holders) holder.kill();
    });
  }

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
    // A record written by hand into a lock file that another tool (flock) holds.
    const forged = path.join(s.shared, 'forged');
    const record = { pid: 1, hostname: `host${EVIL}`, command: `vi${EVIL}`, since: new Date().toISOString() };
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
