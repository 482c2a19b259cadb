// Issue 17 rows 2 and 4 from the shell: every command that opens a store or registry file ends at once,
// with a status and a message naming what was planted; a planted link is not followed without
// --follow-symlinks; SIGTERM and Ctrl-C (SIGINT) end a command that waits for a lock. Row 5 (what the CLI
// prints) is cli-output.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { killChildrenAfter, spawnCommand } from '../helpers/children.js';
import { runCli, startCli } from '../helpers/cli.js';
import { isRoot, plant, scene } from './plant.js';

killChildrenAfter();

const me = process.getuid?.() ?? 0;

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
});
