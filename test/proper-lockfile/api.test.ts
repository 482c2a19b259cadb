// The drop-in's API side by side with the real proper-lockfile (a devDependency), in one process: the same
// calls give the same results and error codes, and each side sees the other's locks.
import assert from 'node:assert/strict';
import fs, { mkdirSync, rmdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import lockfile, * as ours from '../../src/proper-lockfile/index.js';
import { waitFor } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';

interface Api {
  lock(file: string, options?: object): Promise<() => Promise<void>>;
  unlock(file: string, options?: object): Promise<void>;
  check(file: string, options?: object): Promise<boolean>;
  lockSync(file: string, options?: object): () => void;
  unlockSync(file: string, options?: object): void;
  checkSync(file: string, options?: object): boolean;
}
const real = createRequire(import.meta.url)('proper-lockfile') as Api;
const dropIn = ours as unknown as Api;

const dir = tempDir();
let n = 0;
const fresh = () => {
  const file = path.join(dir, `file-${++n}.json`);
  writeFileSync(file, '{}');
  return file;
};
const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code,
  );
const syncCodeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('proper-lockfile drop-in: the same API as proper-lockfile', { timeout: 60_000 }, () => {
  for (const [name, api] of [
    ['proper-lockfile', real],
    ['drop-in', dropIn],
  ] as const) {
    it(`${name}: lock, check, ELOCKED, release, ERELEASED, ENOTACQUIRED, ESYNC, ENOENT`, async () => {
      const file = fresh();
      const release = await api.lock(file);
      assert.ok(statSync(`${file}.lock`).isDirectory(), 'the same folder on disk');
      assert.equal(await api.check(file), true);
      assert.equal(api.checkSync(file), true);
      assert.equal(await codeOf(api.lock(file)), 'ELOCKED');
      assert.equal(
        syncCodeOf(() => api.lockSync(file)),
        'ELOCKED',
      );
      await release();
      assert.equal(await codeOf(release()), 'ERELEASED');
      assert.equal(await api.check(file), false);
      assert.equal(await codeOf(api.unlock(file)), 'ENOTACQUIRED');
      assert.equal(
        syncCodeOf(() => api.unlockSync(file)),
        'ENOTACQUIRED',
      );
      assert.equal(
        syncCodeOf(() => api.lockSync(file, { retries: 2 })),
        'ESYNC',
      );
      assert.equal(
        syncCodeOf(() => api.lockSync(file, { retries: { retries: 1 } })),
        'ESYNC',
      );
      assert.equal(await codeOf(api.lock(path.join(dir, 'missing.json'))), 'ENOENT');
      assert.equal(await codeOf(api.check(path.join(dir, 'missing.json'))), 'ENOENT');
      assert.equal(await codeOf(api.lock(path.join(dir, 'missing.json'), { realpath: false })), 'ok');
      await api.unlock(path.join(dir, 'missing.json'), { realpath: false });
    });

    it(`${name}: lockSync / unlockSync / lockfilePath / realpath through a symlink`, () => {
      const file = fresh();
      const link = path.join(dir, `link-${n}`);
      symlinkSync(file, link);
      const release = api.lockSync(link);
      assert.ok(fs.existsSync(`${file}.lock`), 'realpath: the lock is next to the real file');
      release();
      assert.equal(fs.existsSync(`${file}.lock`), false);
      const custom = path.join(dir, `custom-${n}.lock`);
      api.lockSync(file, { lockfilePath: custom });
      assert.ok(statSync(custom).isDirectory());
      assert.equal(api.checkSync(file, { lockfilePath: custom }), true);
      api.unlockSync(file, { lockfilePath: custom });
      assert.equal(fs.existsSync(custom), false);
    });

    it(`${name}: a stale folder (crashed holder of either kind) is taken over; a fresh one is not`, async () => {
      const file = fresh();
      mkdirSync(`${file}.lock`);
      assert.equal(await codeOf(api.lock(file)), 'ELOCKED');
      const old = new Date(Date.now() - 20_000);
      utimesSync(`${file}.lock`, old, old);
      assert.equal(await api.check(file), false);
      const release = await api.lock(file);
      await release();
    });
  }

  it('the default export is the lock function carrying every function, as proper-lockfile', async () => {
    assert.equal(typeof lockfile, 'function');
    for (const name of ['lock', 'unlock', 'check', 'lockSync', 'unlockSync', 'checkSync'] as const) {
      assert.equal(typeof lockfile[name], 'function');
    }
    const file = fresh();
    const release = await lockfile(file);
    await release();
  });

  it('each side sees the other: ELOCKED both ways, then the lock once released', async () => {
    const file = fresh();
    let release = await real.lock(file);
    assert.equal(await dropIn.check(file), true);
    assert.equal(await codeOf(dropIn.lock(file)), 'ELOCKED');
    await release();
    release = await dropIn.lock(file);
    assert.equal(await real.check(file), true);
    assert.equal(await codeOf(real.lock(file)), 'ELOCKED');
    await release();
    (await real.lock(file))();
  });

  it('with retries, a waiter gets the lock at its release, not at its next retry (5 s away)', async () => {
    const file = fresh();
    const release = await real.lock(file);
    const started = Date.now();
    const waiting = dropIn.lock(file, { retries: { retries: 2, minTimeout: 5_000 } });
    setTimeout(() => void release(), 100);
    const got = await waiting;
    const waited = Date.now() - started;
    await got();
    // The retry schedule's first look is at 5 s; the release is at 0.1 s.
    assert.ok(waited < 2_500, `waited ${waited} ms`);
  });

  it('with retries set, a lock never released fails after the schedule with ELOCKED', async () => {
    const file = fresh();
    const release = await dropIn.lock(file);
    const started = Date.now();
    assert.equal(
      await codeOf(dropIn.lock(file, { retries: { retries: 2, minTimeout: 50, factor: 1 } })),
      'ELOCKED',
    );
    assert.ok(Date.now() - started >= 100, 'it waited its two retries');
    await release();
  });

  it('a custom fs is used for the folder operations', async () => {
    const file = fresh();
    const calls: string[] = [];
    const spy = new Proxy(fs, {
      get(target, key: string) {
        const value = Reflect.get(target, key);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(key);
          return value.apply(target, args);
        };
      },
    });
    const release = await dropIn.lock(file, { fs: spy });
    await release();
    for (const call of ['realpathSync', 'mkdirSync', 'utimesSync', 'statSync', 'rmdirSync']) {
      assert.ok(calls.includes(call), `${call} went through the custom fs (${calls.join(', ')})`);
    }
  });

  it('onCompromised: a removed lock folder is reported at once, naming the file and the cause', async () => {
    const file = fresh();
    let reported: (Error & { code?: string; file?: string }) | undefined;
    const release = await dropIn.lock(file, { onCompromised: (error: Error) => (reported = error) });
    rmdirSync(`${file}.lock`);
    mkdirSync(`${file}.lock`); // someone else's lock now
    await waitFor(() => reported !== undefined, 5_000, 'the compromise to be reported');
    assert.equal(reported?.code, 'ECOMPROMISED');
    assert.equal(reported?.file, file);
    assert.match(reported?.message ?? '', new RegExp(`${path.basename(file)}.*(removed|replaced)`));
    assert.equal(await codeOf(release()), 'ERELEASED');
    assert.ok(fs.existsSync(`${file}.lock`), "the other's folder stays");
    rmdirSync(`${file}.lock`);
  });

  it('release removes only its own folder, never one that replaced it', async () => {
    const file = fresh();
    const release = dropIn.lockSync(file, { onCompromised: () => {} });
    rmdirSync(`${file}.lock`);
    mkdirSync(`${file}.lock`);
    try {
      release();
    } catch {
      // ERELEASED if the loss was seen first: either way the folder must stay
    }
    assert.ok(fs.existsSync(`${file}.lock`));
    rmdirSync(`${file}.lock`);
  });
});
