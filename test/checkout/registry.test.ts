import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { BackendGrant } from '../../src/backend.js';
import {
  type Backend,
  CheckoutAuditError,
  CheckoutConflictError,
  CheckoutFileNotFoundError,
  CheckoutInvalidArgumentError,
  CheckoutNotCheckedOutError,
  CheckoutNotHolderError,
  CheckoutRegistryCorruptError,
  CheckoutRegistryMissingError,
  defaultOwner,
  openCheckouts,
} from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';

const base = tempDir('locksmith-checkout-');
let count = 0;

/** A fresh root with the given files (name → content). */
function makeRoot(files: Record<string, string> = { 'a.mcam': 'A', 'b.mcam': 'BB', 'notes.txt': 'n' }) {
  const root = path.join(base, `root-${++count}`);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

function auditLines(root: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(path.join(root, '.locksmith', 'audit.jsonl'), 'utf8');
  } catch {
    return [];
  }
  assert.ok(text.endsWith('\n'), 'every audit line ends with a newline');
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

function registryText(root: string): string {
  return readFileSync(path.join(root, '.locksmith', 'checkouts.json'), 'utf8');
}

describe('openCheckouts: check-out, check-in, break', { timeout: 60_000 }, () => {
  it('checks out a file with owner and message, and lists it with size, time and status', async () => {
    const root = makeRoot();
    const registry = openCheckouts(root);
    const before = Date.now();
    const result = await registry.checkout('a.mcam', { owner: 'alice', message: 'moving the holes' });
    assert.equal(result.status, 'checked-out');
    assert.equal(result.owner, 'alice');
    assert.equal(result.message, 'moving the holes');
    assert.ok(result.checkedOutAt!.getTime() >= before - 1000);

    const list = await registry.list();
    assert.deepEqual(
      list.map((f) => [f.name, f.status, f.owner, f.sizeBytes]),
      [
        ['a.mcam', 'checked-out', 'alice', 1],
        ['b.mcam', 'available', undefined, 2],
        ['notes.txt', 'available', undefined, 1],
      ],
    );
    const a = list[0]!;
    assert.equal(a.message, 'moving the holes');
    assert.equal(a.exists, true);
    assert.equal(a.modifiedAt!.getTime(), statSync(path.join(root, 'a.mcam')).mtime.getTime());

    const status = await registry.status('b.mcam');
    assert.equal(status.status, 'available');
    assert.equal(status.owner, undefined);

    const [line] = auditLines(root);
    assert.equal(line!.event, 'checkout');
    assert.equal(line!.file, 'a.mcam');
    assert.equal(line!.owner, 'alice');
    assert.equal(line!.message, 'moving the holes');
    assert.equal(line!.pid, process.pid);
    assert.ok(!Number.isNaN(Date.parse(line!.at as string)));
  });

  it('the owner defaults to <os user>@<hostname>', async () => {
    const root = makeRoot();
    const registry = openCheckouts(root);
    const result = await registry.checkout('a.mcam');
    assert.equal(result.owner, `${os.userInfo().username}@${os.hostname()}`);
    assert.equal(defaultOwner(), result.owner);
    await registry.checkin('a.mcam');
    assert.equal((await registry.status('a.mcam')).status, 'available');
  });

  it('refuses a check-out of a held file, naming the holder, when and why; nothing changes', async () => {
    const root = makeRoot();
    const registry = openCheckouts(root);
    const held = await registry.checkout('a.mcam', { owner: 'alice', message: 'moving the holes' });
    const registryBefore = registryText(root);
    const error = await registry.checkout('a.mcam', { owner: 'bob', message: 'mine now' }).then(
      () => assert.fail('bob got a file alice holds'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof CheckoutConflictError);
    assert.equal(error.code, 'CHECKOUT_CONFLICT');
    assert.equal(error.file, 'a.mcam');
    assert.equal(error.holder.owner, 'alice');
    assert.equal(error.holder.message, 'moving the holes');
    assert.equal(error.holder.checkedOutAt.getTime(), held.checkedOutAt!.getTime());
    assert.equal(error.requestedBy, 'bob');
    assert.match(error.message, /alice/);
    assert.match(error.message, /moving the holes/);
    assert.ok(error.message.includes(held.checkedOutAt!.toISOString()));
    assert.equal(registryText(root), registryBefore);
    assert.equal(auditLines(root).length, 1);
  });

  it('checking out again as the holder changes nothing, or only the message', async () => {
    const root = makeRoot();
    const registry = openCheckouts(root);
    const first = await registry.checkout('a.mcam', { owner: 'alice', message: 'one' });
    const again = await registry.checkout('a.mcam', { owner: 'alice' });
    assert.equal(again.message, 'one');
    assert.equal(auditLines(root).length, 1);
    const changed = await registry.checkout('a.mcam', { owner: 'alice', message: 'two' });
    assert.equal(changed.message, 'two');
    assert.equal(changed.checkedOutAt!.getTime(), first.checkedOutAt!.getTime());
    assert.equal(auditLines(root).length, 2);
  });

  it('only the holder checks in; a check-in of an available file is refused', async () => {
    const root = makeRoot();
    const registry = openCheckouts(root);
    await registry.checkout('a.mcam', { owner: 'alice', message: 'm' });
    const error = await registry.checkin('a.mcam', { owner: 'bob' }).catch((e: unknown) => e);
    assert.ok(error instanceof CheckoutNotHolderError);
    assert.equal(error.holder.owner, 'alice');
    assert.equal(error.requestedBy, 'bob');
    assert.match(error.message, /bob cannot check in a\.mcam: it is checked out by alice/);
    assert.equal((await registry.status('a.mcam')).owner, 'alice');

    const done = await registry.checkin('a.mcam', { owner: 'alice' });
    assert.equal(done.file, 'a.mcam');
    assert.equal(done.previous.owner, 'alice');
    assert.equal(done.event.event, 'checkin');
    assert.equal((await registry.status('a.mcam')).status, 'available');

    await assert.rejects(registry.checkin('a.mcam', { owner: 'alice' }), CheckoutNotCheckedOutError);
    const lines = auditLines(root);
    assert.deepEqual(
      lines.map((l) => [l.event, l.owner]),
      [
        ['checkout', 'alice'],
        ['checkin', 'alice'],
      ],
    );
    assert.equal(lines[1]!.checkedOutAt, lines[0]!.at);
  });

  it('an administrator breaks a check-out with a reason, and the audit log records who, whose and why', async () => {
    const root = makeRoot();
    const registry = openCheckouts(root);
    await registry.checkout('a.mcam', { owner: 'alice', message: 'left for holidays' });
    await assert.rejects(registry.breakCheckout('a.mcam', { reason: '  ' }), CheckoutInvalidArgumentError);
    await assert.rejects(
      registry.breakCheckout('a.mcam', {} as { reason: string }),
      CheckoutInvalidArgumentError,
    );
    const result = await registry.breakCheckout('a.mcam', { reason: 'alice is away', by: 'carol' });
    assert.equal(result.previous.owner, 'alice');
    assert.equal((await registry.status('a.mcam')).status, 'available');
    await registry.checkout('a.mcam', { owner: 'bob' });

    const broken = auditLines(root).find((l) => l.event === 'break');
    assert.ok(broken);
    assert.equal(broken.file, 'a.mcam');
    assert.equal(broken.owner, 'alice');
    assert.equal(broken.by, 'carol');
    assert.equal(broken.reason, 'alice is away');
    assert.equal(broken.message, 'left for holidays');

    const { events, unreadable } = await registry.history();
    assert.deepEqual(
      events.map((e) => e.event),
      ['checkout', 'break', 'checkout'],
    );
    assert.deepEqual(unreadable, []);
    await assert.rejects(
      registry.breakCheckout('b.mcam', { reason: 'nothing to break' }),
      CheckoutNotCheckedOutError,
    );
  });
});

describe('openCheckouts: missing files, folders, listing', { timeout: 60_000 }, () => {
  it('refuses to check out a file that does not exist, or a folder', async () => {
    const root = makeRoot({ 'sub/x.mcam': 'x' });
    const registry = openCheckouts(root);
    const error = await registry.checkout('nope.mcam').catch((e: unknown) => e);
    assert.ok(error instanceof CheckoutFileNotFoundError);
    assert.equal(error.code, 'CHECKOUT_FILE_NOT_FOUND');
    assert.equal(error.path, path.join(root, 'nope.mcam'));
    await assert.rejects(registry.checkout('sub'), /sub is not a regular file/);
    await assert.rejects(registry.status('nope.mcam'), CheckoutFileNotFoundError);
    assert.deepEqual(auditLines(root), []);
  });

  it('a checked-out file that was deleted stays listed, and can be checked in', async () => {
    const root = makeRoot();
    const registry = openCheckouts(root);
    await registry.checkout('b.mcam', { owner: 'alice' });
    unlinkSync(path.join(root, 'b.mcam'));
    const listed = (await registry.list()).find((f) => f.name === 'b.mcam');
    assert.ok(listed);
    assert.equal(listed.exists, false);
    assert.equal(listed.sizeBytes, undefined);
    assert.equal(listed.owner, 'alice');
    assert.equal((await registry.status('b.mcam')).exists, false);
    await registry.checkin('b.mcam', { owner: 'alice' });
    assert.equal(
      (await registry.list()).some((f) => f.name === 'b.mcam'),
      false,
    );
  });

  it('lists nested files, filters by extension, and leaves out .locksmith/', async () => {
    const root = makeRoot({ 'top.MCAM': '1', 'parts/deep/gear.mcam': '22', 'parts/readme.md': 'r' });
    const registry = openCheckouts(root);
    await registry.checkout('parts/deep/gear.mcam', { owner: 'alice' });
    assert.deepEqual(
      (await registry.list()).map((f) => f.name),
      ['parts/deep/gear.mcam', 'parts/readme.md', 'top.MCAM'],
    );
    assert.deepEqual(
      (await registry.list({ extension: 'mcam' })).map((f) => [f.name, f.status]),
      [
        ['parts/deep/gear.mcam', 'checked-out'],
        ['top.MCAM', 'available'],
      ],
    );
    assert.deepEqual(
      (await registry.list({ extension: '.md' })).map((f) => f.name),
      ['parts/readme.md'],
    );
    await assert.rejects(registry.list({ extension: '.' }), CheckoutInvalidArgumentError);
  });

  it('refuses unusable arguments with CHECKOUT_INVALID_ARGUMENT', async () => {
    const root = makeRoot();
    assert.throws(() => openCheckouts(path.join(root, 'missing')), CheckoutInvalidArgumentError);
    assert.throws(() => openCheckouts(path.join(root, 'a.mcam')), /is not a folder/);
    assert.throws(() => openCheckouts(''), CheckoutInvalidArgumentError);
    // A bad timeout is the registry's own invalid argument, as openStore's is the store's.
    for (const timeout of [-1, Number.NaN]) {
      assert.throws(() => openCheckouts(root, { timeout }), { code: 'CHECKOUT_INVALID_ARGUMENT' });
    }
    const registry = openCheckouts(root);
    await assert.rejects(registry.checkout(''), CheckoutInvalidArgumentError);
    await assert.rejects(registry.checkout('a\0b'), CheckoutInvalidArgumentError);
    await assert.rejects(registry.checkout('.'), /the root folder itself/);
    await assert.rejects(registry.checkout('a.mcam', { owner: '' }), CheckoutInvalidArgumentError);
    await assert.rejects(registry.checkout('a.mcam', { owner: 'a\nb' }), CheckoutInvalidArgumentError);
    await assert.rejects(
      registry.checkout('a.mcam', { message: 'x'.repeat(1001) }),
      CheckoutInvalidArgumentError,
    );
    await registry.checkout('a.mcam', { owner: 'alice' });
    await assert.rejects(registry.checkout('.locksmith/checkouts.json'), /registry's own folder/);
    await assert.rejects(registry.checkout('.locksmith/audit.jsonl'), CheckoutInvalidArgumentError);
  });
});

describe('openCheckouts: the registry is never corrupted or silently reset', { timeout: 60_000 }, () => {
  it('reports invalid JSON with its location and leaves the file as it is', async () => {
    const root = makeRoot();
    const registry = openCheckouts(root);
    await registry.checkout('a.mcam', { owner: 'alice' });
    const file = path.join(root, '.locksmith', 'checkouts.json');
    const broken = '{\n  "version": 1,\n  "checkouts": {\n    "a.mcam": { "owner": "alice",, }\n';
    writeFileSync(file, broken);
    for (const call of [
      () => registry.checkout('b.mcam', { owner: 'bob' }),
      () => registry.checkin('a.mcam', { owner: 'alice' }),
      () => registry.breakCheckout('a.mcam', { reason: 'r' }),
      () => registry.list(),
      () => registry.status('a.mcam'),
    ]) {
      const error = await call().catch((e: unknown) => e);
      assert.ok(error instanceof CheckoutRegistryCorruptError, String(error));
      assert.equal(error.code, 'CHECKOUT_REGISTRY_CORRUPT');
      assert.equal(error.file, file);
      assert.equal(error.line, 4);
      assert.equal(typeof error.column, 'number');
      assert.ok(error.message.includes(`${file}:4:`), error.message);
    }
    assert.equal(readFileSync(file, 'utf8'), broken);
    assert.equal(auditLines(root).length, 1, 'nothing was recorded');
  });

  it('reports a registry of the wrong shape with what is wrong, and leaves it', async () => {
    const root = makeRoot();
    const registry = openCheckouts(root);
    await registry.checkout('a.mcam', { owner: 'alice' });
    const file = path.join(root, '.locksmith', 'checkouts.json');
    const wrong =
      '{"version": 1, "checkouts": {"a.mcam": {"owner": 7, "message": "", "checkedOutAt": "soon"}}}\n';
    writeFileSync(file, wrong);
    const error = await registry.checkout('b.mcam').catch((e: unknown) => e);
    assert.ok(error instanceof CheckoutRegistryCorruptError);
    assert.deepEqual(error.issues, [
      'checkouts.a.mcam.owner: expected a non-empty string',
      'checkouts.a.mcam.checkedOutAt: expected an ISO 8601 date',
    ]);
    assert.equal(readFileSync(file, 'utf8'), wrong);
  });

  it('a deleted or emptied registry is reported, not taken as empty, once the audit log records changes', async () => {
    const root = makeRoot();
    const registry = openCheckouts(root);
    await registry.checkout('a.mcam', { owner: 'alice' });
    const file = path.join(root, '.locksmith', 'checkouts.json');
    writeFileSync(file, '');
    await assert.rejects(registry.checkout('a.mcam', { owner: 'bob' }), CheckoutRegistryMissingError);
    unlinkSync(file);
    const error = await registry.list().catch((e: unknown) => e);
    assert.ok(error instanceof CheckoutRegistryMissingError);
    assert.equal(error.code, 'CHECKOUT_REGISTRY_MISSING');
    await assert.rejects(registry.checkout('b.mcam', { owner: 'bob' }), CheckoutRegistryMissingError);
    assert.throws(() => statSync(file), /ENOENT/, 'the registry was not recreated empty');
  });

  it('when the audit log cannot be written, the change is not made', async () => {
    const root = makeRoot();
    const registry = openCheckouts(root);
    await registry.checkout('a.mcam', { owner: 'alice' });
    const log = path.join(root, '.locksmith', 'audit.jsonl');
    const kept = readFileSync(log);
    unlinkSync(log);
    mkdirSync(log); // appending to a folder fails with EISDIR, whoever runs the test
    const before = registryText(root);
    const error = await registry.checkout('b.mcam', { owner: 'bob' }).catch((e: unknown) => e);
    assert.ok(error instanceof CheckoutAuditError, String(error));
    assert.equal(error.code, 'CHECKOUT_AUDIT');
    await assert.rejects(registry.checkin('a.mcam', { owner: 'alice' }), CheckoutAuditError);
    assert.equal(registryText(root), before);
    rmSync(log, { recursive: true });
    writeFileSync(log, kept);
    assert.equal((await registry.status('b.mcam')).status, 'available');
    assert.equal((await registry.status('a.mcam')).owner, 'alice');
  });

  it('an audit log that ends in a torn line gets a newline first, and reading reports the torn line', async () => {
    const root = makeRoot();
    const registry = openCheckouts(root);
    await registry.checkout('a.mcam', { owner: 'alice' });
    const log = path.join(root, '.locksmith', 'audit.jsonl');
    writeFileSync(log, `${readFileSync(log, 'utf8')}{"id":"torn","at":"2026`);
    await registry.checkin('a.mcam', { owner: 'alice' });
    const { events, unreadable } = await registry.history();
    assert.deepEqual(
      events.map((e) => e.event),
      ['checkout', 'checkin'],
    );
    assert.deepEqual(unreadable, [{ line: 2, text: '{"id":"torn","at":"2026', reason: 'not JSON' }]);
  });
});

describe('openCheckouts: read-only until checked out', { timeout: 60_000 }, () => {
  const writeBits = (file: string) => statSync(file).mode & 0o222;

  it('check-in and break make the file read-only, check-out makes it writable by its owner', async () => {
    const root = makeRoot();
    const file = path.join(root, 'a.mcam');
    const registry = openCheckouts(root, { readOnlyUntilCheckedOut: true });
    await registry.checkout('a.mcam', { owner: 'alice' });
    assert.equal(writeBits(file) & 0o200, 0o200);
    const done = await registry.checkin('a.mcam', { owner: 'alice' });
    assert.equal(done.modeWarning, undefined);
    assert.equal(writeBits(file), 0);
    await registry.checkout('a.mcam', { owner: 'bob' });
    assert.equal(writeBits(file), 0o200);
    await registry.breakCheckout('a.mcam', { reason: 'bob left' });
    assert.equal(writeBits(file), 0, 'a broken check-out leaves the file read-only for everyone');
  });

  it('protectAvailable makes every available file read-only, and leaves checked-out ones writable', async () => {
    const root = makeRoot({ 'a.mcam': 'a', 'b.mcam': 'b', 'sub/c.mcam': 'c', 'notes.txt': 'n' });
    const registry = openCheckouts(root, { readOnlyUntilCheckedOut: true });
    await registry.checkout('b.mcam', { owner: 'alice' });
    const result = await registry.protectAvailable({ extension: '.mcam' });
    assert.deepEqual(result, { madeReadOnly: ['a.mcam', 'sub/c.mcam'], failed: [] });
    assert.equal(writeBits(path.join(root, 'a.mcam')), 0);
    assert.equal(writeBits(path.join(root, 'sub', 'c.mcam')), 0);
    assert.notEqual(writeBits(path.join(root, 'b.mcam')), 0);
    assert.notEqual(writeBits(path.join(root, 'notes.txt')), 0);
    assert.deepEqual(await registry.protectAvailable(), { madeReadOnly: ['notes.txt'], failed: [] });
  });

  it('protectAvailable turns the mode on for everyone who opens the folder', async () => {
    const root = makeRoot();
    const file = path.join(root, 'a.mcam');
    await openCheckouts(root).protectAvailable();
    const other = openCheckouts(root); // no option: follows the registry
    await other.checkout('a.mcam', { owner: 'alice' });
    assert.equal(writeBits(file), 0o200);
    await other.checkin('a.mcam', { owner: 'alice' });
    assert.equal(writeBits(file), 0);
    const optedOut = openCheckouts(root, { readOnlyUntilCheckedOut: false });
    await optedOut.checkout('a.mcam', { owner: 'alice' });
    assert.equal(writeBits(file), 0, 'an explicit false leaves modes alone');
  });

  it('without the mode, modes are left alone', async () => {
    const root = makeRoot();
    const file = path.join(root, 'a.mcam');
    const mode = statSync(file).mode;
    const registry = openCheckouts(root);
    await registry.checkout('a.mcam', { owner: 'alice' });
    await registry.checkin('a.mcam', { owner: 'alice' });
    assert.equal(statSync(file).mode, mode);
  });

  it('a refused check-out leaves the mode alone', async () => {
    const root = makeRoot();
    const file = path.join(root, 'a.mcam');
    const registry = openCheckouts(root, { readOnlyUntilCheckedOut: true });
    await registry.checkout('a.mcam', { owner: 'alice' });
    await registry.checkin('a.mcam', { owner: 'alice' });
    await registry.checkout('a.mcam', { owner: 'alice' });
    symlinkSync(file, path.join(root, 'link.mcam'));
    await assert.rejects(registry.checkout('link.mcam', { owner: 'bob' }), CheckoutConflictError);
    assert.equal(writeBits(file), 0o200);
  });
});

/**
 * A backend of names kept in this process (like a server's locks, it touches no file): it records the
 * keys it is asked for, and `hold` makes a key busy as if another process held it.
 */
function namesBackend() {
  const held = new Set<string>();
  const asked = new Set<string>();
  const backend: Backend & { keyFor(name: string, lockfilePath: string | undefined): string } = {
    name: 'names',
    supportsShared: false,
    keyFor: (name, lockfilePath) => `names:${lockfilePath ?? name}`,
    tryAcquire(key): BackendGrant | undefined {
      asked.add(key);
      if (held.has(key)) return undefined;
      held.add(key);
      return { release: () => void held.delete(key), watchLoss: () => () => {} };
    },
    inspect: (key) => ({ locked: held.has(key) }),
  };
  return { backend, asked, hold: (key: string) => held.add(key), held };
}

describe('openCheckouts on another backend', { timeout: 60_000 }, () => {
  it('takes every lock through it, and creates .locksmith/ itself when the backend makes no lock file', async () => {
    const root = makeRoot();
    const names = namesBackend();
    const registry = openCheckouts(root, { backend: names.backend });
    assert.equal(existsSync(path.join(root, '.locksmith')), false);
    await registry.checkout('a.mcam', { owner: 'alice', message: 'm' });
    await assert.rejects(registry.checkin('a.mcam', { owner: 'bob' }), CheckoutNotHolderError);
    await registry.checkin('a.mcam', { owner: 'alice' });
    await registry.checkout('b.mcam', { owner: 'bob' });
    await registry.breakCheckout('b.mcam', { reason: 'holiday', by: 'carol' });
    await registry.protectAvailable();
    const folder = path.join(registry.root, '.locksmith');
    assert.deepEqual([...names.asked].sort(), [
      `names:${registry.registryPath}`,
      `names:${path.join(folder, 'checkouts.json.update.lock')}`,
    ]);
    assert.deepEqual(names.held, new Set(), 'every lock was released');
    assert.deepEqual(readdirSync(folder).sort(), ['audit.jsonl', 'checkouts.json'], 'no lock file');
    assert.deepEqual(
      auditLines(root).map((e) => e.event),
      ['checkout', 'checkin', 'checkout', 'break'],
    );
  });

  it('a registry lock held elsewhere on that backend makes a change wait (LOCK_TIMEOUT)', async () => {
    const root = makeRoot();
    const names = namesBackend();
    const registry = openCheckouts(root, { backend: names.backend, timeout: 0 });
    names.hold(`names:${registry.registryPath}`);
    await assert.rejects(registry.checkout('a.mcam', { owner: 'alice' }), { code: 'LOCK_TIMEOUT' });
    assert.equal((await registry.status('a.mcam')).status, 'available');
  });
});
