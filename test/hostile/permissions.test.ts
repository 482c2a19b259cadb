// Issue 17 item 3: the modes of everything locksmith creates under umasks 022, 002 and 077 (children run
// with process.umask set), and what a second user can and cannot do with them (docs/permissions.md).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openCheckouts, openStore } from '../../src/index.js';
import { killChildrenAfter } from '../helpers/children.js';
import { start } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { unprivilegedUnavailable } from '../helpers/unprivileged.js';
import { callAs, isRoot, NOBODY } from './plant.js';

killChildrenAfter();

const WORKER = path.join(import.meta.dirname, '..', 'fixtures', 'umask-worker.ts');
const base = tempDir('locksmith-perm-');
fs.chmodSync(base, 0o755);

/** What locksmith creates and the mode it gets under `umask`: files 0666, folders 0777, Web Locks private. */
function expectedModes(umask: number): Record<string, string> {
  const mode = (bits: number) => (bits & ~umask).toString(8).padStart(4, '0');
  return {
    'lock file (job.lock)': mode(0o666),
    'store file (new)': mode(0o666),
    'store lock file (settings.json.lock)': mode(0o666),
    'writeFileAtomic file (new)': mode(0o666),
    '.locksmith/': mode(0o777),
    '.locksmith/checkouts.json': mode(0o666),
    '.locksmith/audit.jsonl': mode(0o666),
    '.locksmith/checkouts.json.lock': mode(0o666),
    'Web Locks folder': mode(0o700),
    'Web Locks lock files folder (locks/)': mode(0o700),
    'Web Locks registry file (clients/*.slots)': mode(0o600),
  };
}

/** Run the umask worker: everything locksmith creates, made in `dir` under `umask`. */
async function createAll(umask: number, dir: string): Promise<Record<string, string>> {
  const child = start([process.execPath, '--import', 'tsx', WORKER, umask.toString(8), dir]);
  const result = await child.exited;
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, string>;
}

describe('permissions of what locksmith creates', { timeout: 300_000 }, () => {
  for (const umask of [0o022, 0o002, 0o077]) {
    it(`under umask ${umask.toString(8).padStart(3, '0')}: files 0666 and folders 0777 less the umask; Web Locks private`, async () => {
      const dir = fs.mkdtempSync(path.join(base, 'umask-'));
      assert.deepEqual(await createAll(umask, dir), expectedModes(umask));
    });
  }

  /**
   * What another user can do with what the owner created under `umask`, in a folder with mode `folderMode`.
   * `expect` maps each try to 'ok' or the error code.
   */
  async function secondUser(
    umask: number,
    folderMode: number,
    expect: Record<string, string>,
  ): Promise<void> {
    const dir = fs.mkdtempSync(path.join(base, 'second-'));
    await createAll(umask, dir);
    fs.chmodSync(dir, folderMode);
    const designs = path.join(dir, 'designs');
    fs.chmodSync(designs, folderMode);
    const store = path.join(dir, 'settings.json');
    const tries: Record<string, [string, Record<string, unknown>]> = {
      'take a lock': ['lock', { file: path.join(dir, 'job') }],
      'read a store': ['store.read', { file: store }],
      'update a store': ['store.update', { file: store }],
      'break a check-out': ['break', { root: designs, file: 'a.mcam' }],
      'add an audit line': [
        'appendLine',
        { file: path.join(designs, '.locksmith', 'audit.jsonl'), line: '{}' },
      ],
    };
    const got: Record<string, string> = {};
    for (const [what, [op, args]] of Object.entries(tries)) {
      const result = await callAs(NOBODY, op, args);
      got[what] = result.ok ? 'ok' : (result.code ?? result.message ?? 'error');
    }
    assert.deepEqual(got, expect);
    // The owner's data is intact: the store still reads, the check-out is still there.
    assert.deepEqual(await openStore(store).read(), { a: 1 });
    assert.equal((await openCheckouts(designs).status('a.mcam')).owner, 'me');
  }

  const skip = isRoot ? unprivilegedUnavailable() : 'needs root, to be the owner that another user is not';

  it('umask 022, folders 0755: another user can hold the locks (flock needs only read) and read, nothing more', {
    skip,
  }, async () => {
    await secondUser(0o022, 0o755, {
      'take a lock': 'ok',
      'read a store': 'ok',
      'update a store': 'ATOMIC_WRITE_IO',
      'break a check-out': 'CHECKOUT_AUDIT',
      'add an audit line': 'EACCES',
    });
  });

  it('umask 077, folders 0700: another user can do nothing, not even wait on a lock', { skip }, async () => {
    await secondUser(0o077, 0o700, {
      'take a lock': 'LOCK_DIRECTORY',
      'read a store': 'STORE_IO',
      'update a store': 'LOCK_DIRECTORY',
      'break a check-out': 'CHECKOUT_INVALID_ARGUMENT', // the root cannot even be resolved
      'add an audit line': 'EACCES',
    });
  });
});
