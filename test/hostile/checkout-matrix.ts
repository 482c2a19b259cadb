// The check-out registry's matrix for issue 17 rows 2 and 3: a FIFO, socket, folder, symlink (to a
// victim's file, and dangling), hard link to a victim's file or mode-000 file planted as one file of
// `.locksmith/`; every entry point (checkout, checkin, break, list, history) ends at once, typed, and the
// victim is never appended to. Registered by checkout-audit.test.ts and checkout-registry.test.ts (one
// file each, so that each stays within the runner's per-file time on a loaded machine).
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { callOnPlanted, isRoot, type Kind, PLANTABLE, RUNNERS, type Scene } from './plant.js';

export const OPS = ['checkout', 'checkin', 'break', 'list', 'history'] as const;
export type Op = (typeof OPS)[number];
export type Target = 'audit.jsonl' | 'checkouts.json';

const REGISTRY = `${JSON.stringify({
  version: 1,
  checkouts: { 'b.mcam': { owner: 'me', message: 'm', checkedOutAt: '2026-01-01T00:00:00.000Z' } },
})}\n`;

/** A shared folder with a.mcam (available) and b.mcam (checked out by "me"), and a `.locksmith` all can write. */
export function designs(s: Scene, uid: number): string {
  for (const name of ['a.mcam', 'b.mcam']) fs.writeFileSync(path.join(s.shared, name), name);
  const folder = path.join(s.shared, '.locksmith');
  fs.mkdirSync(folder);
  fs.chmodSync(folder, 0o1777);
  if (isRoot) fs.chownSync(path.join(s.shared, 'b.mcam'), uid, uid);
  return folder;
}

export function argsOf(op: Op, root: string): Record<string, unknown> {
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

/** One test per user: every planted kind at `target`, every entry point. */
export function registerMatrix(target: Target): void {
  for (const runner of RUNNERS) {
    it(`${runner.name}: ${target} planted; every entry point ends at once, typed; victim untouched`, {
      skip: runner.skip,
    }, async () => {
      for (const kind of PLANTABLE) {
        for (const op of OPS) {
          await callOnPlanted(runner.uid, kind, {
            setUp: (s) => {
              const folder = designs(s, runner.uid);
              if (target === 'audit.jsonl')
                fs.writeFileSync(path.join(folder, 'checkouts.json'), REGISTRY, { mode: 0o666 });
              return { at: path.join(folder, target), args: argsOf(op, s.shared) };
            },
            op,
            expected: expected(target, op, kind, runner.uid === 0),
            what: `${op} with ${target} a ${kind}`,
          });
        }
      }
    });
  }
}
