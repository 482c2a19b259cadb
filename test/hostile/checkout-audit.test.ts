// Issue 17 rows 2, 3 and 6 for the check-out registry's audit log: `.locksmith/audit.jsonl` planted as a
// FIFO, socket, folder, symlink (to a victim's file, and dangling), hard link or mode-000 file (the
// matrix, checkout-matrix.ts), `.locksmith` itself as a symlink to another folder, and what history()
// makes of lines someone appended by hand.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openCheckouts } from '../../src/index.js';
import { killChildrenAfter } from '../helpers/children.js';
import { argsOf, OPS, registerMatrix } from './checkout-matrix.js';
import { assertOutcome, callAs, isRoot, RUNNERS, scene } from './plant.js';

killChildrenAfter();

describe('hostile shared folder: the check-out audit log', { timeout: 600_000 }, () => {
  registerMatrix('audit.jsonl');

  for (const runner of RUNNERS) {
    it(`${runner.name}: .locksmith as a symlink to another folder is refused, nothing written there`, {
      skip: runner.skip,
    }, async () => {
      for (const op of OPS) {
        const s = scene(runner.uid);
        fs.writeFileSync(path.join(s.shared, 'a.mcam'), 'a');
        const elsewhere = path.join(s.base, 'elsewhere');
        fs.mkdirSync(elsewhere, { mode: 0o777 });
        fs.chmodSync(elsewhere, 0o777);
        const link = path.join(s.shared, '.locksmith');
        fs.symlinkSync(elsewhere, link);
        if (isRoot) fs.lchownSync(link, runner.uid, runner.uid); // even the caller's own link
        const result = await callAs(runner.uid, op, argsOf(op, s.shared));
        assertOutcome(result, 'FILE_UNSAFE', `${op} through a symlinked .locksmith`);
        assert.deepEqual(fs.readdirSync(elsewhere), [], `${op} wrote into the folder .locksmith points to`);
      }
    });
  }

  it('the audit log records, it does not authenticate: how history() reads hand-appended lines', async () => {
    const s = scene(process.getuid?.() ?? 0);
    const registry = openCheckouts(s.shared);
    fs.writeFileSync(path.join(s.shared, 'a.mcam'), 'a');
    await registry.checkout('a.mcam', { owner: 'alice' });
    const log = registry.auditLogPath;
    const real = fs.readFileSync(log, 'utf8').trim();
    // Typed by hand (or written by another program): not in the form locksmith writes. Reported, not an event.
    const typed =
      '{"id": "b00b00b00b00", "at": "2026-01-01T00:00:00.000Z", "event": "break", "file": "a.mcam", "by": "root@vm", "host": "vm", "pid": 1}';
    const shortOne = '{"event":"break","file":"a.mcam","by":"root@vm"}';
    // A copy of a real line with its fields changed: indistinguishable from one locksmith wrote (documented).
    // (A break line has the fields every break has: one without them is reported, as the next line shows.)
    const forged = real
      .replace('"event":"checkout"', '"event":"break"')
      .replace(/"id":"[0-9a-f]{12}"/, '"id":"0123456789ab"')
      .replace(/,"host":/, ',"reason":"forged","checkedOutAt":"2026-01-01T00:00:00.000Z","host":');
    const incomplete = real.replace('"event":"checkout"', '"event":"break"');
    fs.appendFileSync(log, `${typed}\n${shortOne}\n${forged}\n${incomplete}\n`);
    const { events, unreadable } = await registry.history();
    assert.deepEqual(
      events.map((e) => [e.event, e.id]),
      [
        ['checkout', JSON.parse(real).id],
        ['break', '0123456789ab'],
      ],
    );
    assert.deepEqual(
      unreadable.map((u) => [u.line, u.reason]),
      [
        [2, 'not in the form locksmith writes (spacing or escapes differ)'],
        [3, 'no id as locksmith makes them'],
        [5, 'a break line without reason'],
      ],
    );
    // The registry, not the log, says who holds what: a forged "break" line frees nothing.
    assert.equal((await registry.status('a.mcam')).owner, 'alice');
  });
});
