// Issue 17 rows 2, 3 and 6, for the check-out registry: a FIFO, socket, folder, symlink (to a victim's
// file, and dangling), hard link to a victim's file or mode-000 file planted as `.locksmith/audit.jsonl`
// or as `.locksmith/checkouts.json`, and `.locksmith` itself as a symlink to another folder. Every entry
// point (checkout, checkin, break, list, history) ends at once, typed; the victim is never appended to.
// And what history() makes of lines someone appended by hand.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openCheckouts } from '../../src/index.js';
import { killChildrenAfter } from '../helpers/children.js';
import {
  assertOutcome,
  callAs,
  isRoot,
  type Kind,
  PLANTABLE,
  plant,
  RUNNERS,
  type Scene,
  scene,
  tempsLeft,
  watchVictim,
} from './plant.js';

killChildrenAfter();

const OPS = ['checkout', 'checkin', 'break', 'list', 'history'] as const;
type Op = (typeof OPS)[number];
type Target = 'audit.jsonl' | 'checkouts.json';

const REGISTRY = `${JSON.stringify({
  version: 1,
  checkouts: { 'b.mcam': { owner: 'me', message: 'm', checkedOutAt: '2026-01-01T00:00:00.000Z' } },
})}\n`;

/** A shared folder with a.mcam (available) and b.mcam (checked out by "me"), and a `.locksmith` all can write. */
function designs(s: Scene, uid: number): string {
  for (const name of ['a.mcam', 'b.mcam']) fs.writeFileSync(path.join(s.shared, name), name);
  const folder = path.join(s.shared, '.locksmith');
  fs.mkdirSync(folder);
  fs.chmodSync(folder, 0o1777);
  if (isRoot) fs.chownSync(path.join(s.shared, 'b.mcam'), uid, uid);
  return folder;
}

function argsOf(op: Op, root: string): Record<string, unknown> {
  return { root, file: op === 'checkout' ? 'a.mcam' : 'b.mcam' };
}

/** What each call must end with. `list` reads the audit log only when the registry is missing. */
function expected(target: Target, op: Op, kind: Kind, root: boolean): string {
  const readsIt = target === 'audit.jsonl' ? op !== 'list' : op !== 'history';
  if (!readsIt) return 'ok';
  switch (kind) {
    case 'fifo':
    case 'socket':
      return 'FILE_NOT_REGULAR';
    case 'folder':
      if (target === 'audit.jsonl') return 'CHECKOUT_AUDIT';
      // A change locks checkouts.json first, and a folder cannot be locked.
      return op === 'list' ? 'STORE_IO' : 'LOCK_INVALID_ARGUMENT';
    case 'symlink':
    case 'dangling':
      return 'FILE_UNSAFE';
    case 'hardlink':
      // The audit log is written in place: never through a second name. Read, it holds no events.
      if (target === 'audit.jsonl') return op === 'history' ? 'ok' : 'FILE_UNSAFE';
      return 'CHECKOUT_REGISTRY_CORRUPT'; // the victim's JSON is not a registry: left as it is
    case 'mode000':
      if (target === 'checkouts.json') return root ? 'CHECKOUT_REGISTRY_CORRUPT' : 'STORE_IO';
      return root ? 'ok' : 'CHECKOUT_AUDIT';
  }
}

describe('hostile shared folder: the check-out registry', { timeout: 600_000 }, () => {
  for (const runner of RUNNERS) {
    for (const target of ['audit.jsonl', 'checkouts.json'] as const) {
      it(`${runner.name}: ${target} planted; every entry point ends at once, typed; victim untouched`, {
        skip: runner.skip,
      }, async () => {
        for (const kind of PLANTABLE) {
          for (const op of OPS) {
            const s = scene(runner.uid);
            const folder = designs(s, runner.uid);
            if (target === 'audit.jsonl')
              fs.writeFileSync(path.join(folder, 'checkouts.json'), REGISTRY, { mode: 0o666 });
            plant(kind, path.join(folder, target), s);
            const untouched = watchVictim(s);
            const result = await callAs(runner.uid, op, argsOf(op, s.shared));
            assertOutcome(
              result,
              expected(target, op, kind, runner.uid === 0),
              `${op} with ${target} a ${kind}`,
            );
            untouched();
            assert.deepEqual(tempsLeft(s.base), [], `${op} with ${target} a ${kind} left a temp file`);
          }
        }
      });
    }

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
    const forged = real
      .replace('"event":"checkout"', '"event":"break"')
      .replace(/"id":"[0-9a-f]{12}"/, '"id":"0123456789ab"');
    fs.appendFileSync(log, `${typed}\n${shortOne}\n${forged}\n`);
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
      ],
    );
    // The registry, not the log, says who holds what: a forged "break" line frees nothing.
    assert.equal((await registry.status('a.mcam')).owner, 'alice');
  });
});
