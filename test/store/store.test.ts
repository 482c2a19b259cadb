import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import {
  LockInvalidArgumentError,
  openStore,
  StoreInvalidArgumentError,
  StoreIOError,
  StoreNotFoundError,
  StoreParseError,
  StoreSchemaError,
  StoreSerializeError,
} from '../../src/index.js';

import { killChildrenAfter, spawnChild } from '../helpers/children.js';
import { caseFolders, tempDir } from '../helpers/tmp.js';
import { unprivilegedUnavailable } from '../helpers/unprivileged.js';

killChildrenAfter();

const root = tempDir();
const fresh = caseFolders(root);

const Settings = z.object({
  theme: z.enum(['light', 'dark']),
  size: z.number().int().positive(),
  recent: z.array(z.string()),
});
type Settings = z.infer<typeof Settings>;
const DEFAULTS: Settings = { theme: 'light', size: 12, recent: [] };

describe('openStore: read and update', { timeout: 30_000 }, () => {
  it('reads the defaults when the file is missing, and does not create it', async () => {
    const file = path.join(fresh(), 'settings.json');
    const store = openStore(file, { defaults: DEFAULTS });
    assert.deepEqual(await store.read(), DEFAULTS);
    assert.equal(statSync(file, { throwIfNoEntry: false }), undefined);
  });

  it('update writes the changed draft, returns the frozen result, and read sees it', async () => {
    const file = path.join(fresh(), 'settings.json');
    const store = openStore(file, { defaults: DEFAULTS, schema: Settings });
    const result = await store.update((draft) => {
      draft.theme = 'dark';
      draft.recent.push('a.md');
    });
    assert.deepEqual(result, { theme: 'dark', size: 12, recent: ['a.md'] });
    assert.ok(Object.isFrozen(result) && Object.isFrozen(result.recent));
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), result);
    const read = await store.read();
    assert.deepEqual(read, result);
    assert.throws(() => {
      (read.recent as string[]).push('b.md');
    }, TypeError);
  });

  it('an update may return a whole new value, and may be async', async () => {
    const file = path.join(fresh(), 'list.json');
    const store = openStore<string[]>(file, { defaults: [] });
    const result = await store.update(async (draft) => {
      await new Promise((resolve) => setImmediate(resolve));
      return [...draft, 'x', 'y'];
    });
    assert.deepEqual(result, ['x', 'y']);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), ['x', 'y']);
  });

  it('writes nothing when the update changes nothing', async () => {
    const dir = fresh();
    const file = path.join(dir, 'same.json');
    writeFileSync(file, '{"theme":"light","size":12,"recent":[]}');
    const before = statSync(file);
    const store = openStore(file, { defaults: DEFAULTS });
    const result = await store.update((draft) => {
      draft.size = 12;
    });
    assert.deepEqual(result, DEFAULTS);
    const after = statSync(file);
    assert.equal(after.ino, before.ino);
    assert.equal(readFileSync(file, 'utf8'), '{"theme":"light","size":12,"recent":[]}');
    // Nor is a missing file created for an update that leaves the defaults as they are.
    const missing = path.join(dir, 'missing.json');
    await openStore(missing, { defaults: DEFAULTS }).update(() => {});
    assert.equal(statSync(missing, { throwIfNoEntry: false }), undefined);
  });

  it('writes nothing when the update throws, and rethrows its error', async () => {
    const file = path.join(fresh(), 'throws.json');
    writeFileSync(file, '{"theme":"light","size":12,"recent":[]}\n');
    const store = openStore(file, { defaults: DEFAULTS });
    const boom = new Error('boom');
    await assert.rejects(
      store.update((draft) => {
        draft.size = 99;
        throw boom;
      }),
      (e) => e === boom,
    );
    assert.equal(readFileSync(file, 'utf8'), '{"theme":"light","size":12,"recent":[]}\n');
    // The lock was released: the next update goes through.
    await store.update((draft) => {
      draft.size = 13;
    });
    assert.equal((await store.read()).size, 13);
  });

  it('keeps the indentation of a hand-written JSON file', async () => {
    const file = path.join(fresh(), 'tabs.json');
    writeFileSync(file, '{\n\t"a": 1\n}\n');
    await openStore<{ a: number }>(file).update((draft) => {
      draft.a = 2;
    });
    assert.equal(readFileSync(file, 'utf8'), '{\n\t"a": 2\n}\n');
  });

  it('treats an empty file like a missing one', async () => {
    const file = path.join(fresh(), 'empty.yaml');
    writeFileSync(file, '\n');
    const store = openStore(file, { defaults: { feeds: [] as string[] } });
    assert.deepEqual(await store.read(), { feeds: [] });
  });

  it('without defaults, a missing file is STORE_NOT_FOUND for read and update', async () => {
    const store = openStore<{ a: number }>(path.join(fresh(), 'none.json'));
    await assert.rejects(store.read(), StoreNotFoundError);
    await assert.rejects(
      store.update(() => {}),
      StoreNotFoundError,
    );
  });

  it('passes the timeout and signal to the lock', async () => {
    const file = path.join(fresh(), 'busy.json');
    const store = openStore(file, { defaults: { n: 0 } });
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const holding = store.update(() => {
      entered();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await inside;
    await assert.rejects(
      store.update(() => {}, { timeout: 0 }),
      { code: 'LOCK_TIMEOUT' },
    );
    const reason = new Error('abort');
    await assert.rejects(
      store.update(() => {}, { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
    release();
    await holding;
  });

  it('does not write when the signal aborts while the update function runs', async () => {
    const file = path.join(fresh(), 'abort.json');
    const store = openStore(file, { defaults: { n: 0 } });
    const controller = new AbortController();
    await assert.rejects(
      store.update(
        (draft) => {
          draft.n = 1;
          controller.abort(new Error('changed my mind'));
        },
        { signal: controller.signal },
      ),
      /changed my mind/,
    );
    assert.equal(statSync(file, { throwIfNoEntry: false }), undefined);
  });

  it('does not write when its lock file was removed or replaced while the update ran', async () => {
    const dir = fresh();
    const file = path.join(dir, 'lost.json');
    writeFileSync(file, '{"n":0}\n');
    const store = openStore(file, { defaults: { n: 0 } });
    for (const spoil of [
      () => rmSync(`${file}.lock`),
      () => {
        rmSync(`${file}.lock`);
        writeFileSync(`${file}.lock`, '');
      },
    ]) {
      await assert.rejects(
        store.update((draft) => {
          draft.n++;
          spoil(); // as a user's `rm *.lock` or `git clean` would
        }),
        { code: 'LOCK_COMPROMISED' },
      );
      assert.equal(readFileSync(file, 'utf8'), '{"n":0}\n');
    }
    assert.deepEqual(readdirSync(dir).sort(), ['lost.json', 'lost.json.lock']);
  });

  it('serialises the updates of one process: none is lost', async () => {
    const file = path.join(fresh(), 'counter.json');
    const store = openStore(file, { defaults: { n: 0 }, durable: false });
    await Promise.all(
      Array.from({ length: 50 }, () =>
        store.update(async (draft) => {
          const seen = draft.n;
          await new Promise((resolve) => setImmediate(resolve));
          draft.n = seen + 1;
        }),
      ),
    );
    assert.equal((await store.read()).n, 50);
  });
});

describe('openStore: bad input gets a typed error and loses nothing', { timeout: 30_000 }, () => {
  it('corrupt JSON: STORE_PARSE with file, line and column; the file is untouched by update', async () => {
    const file = path.join(fresh(), 'corrupt.json');
    const text = '{\n  "theme": "dark",\n  "size": ,\n  "recent": []\n}\n';
    writeFileSync(file, text);
    const store = openStore(file, { defaults: DEFAULTS });
    for (const call of [
      () => store.read(),
      () =>
        store.update((d) => {
          d.size = 1;
        }),
    ]) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof StoreParseError);
        assert.equal(error.code, 'STORE_PARSE');
        assert.equal(error.file, file);
        assert.equal(error.line, 3);
        assert.equal(error.column, 11);
        assert.match(error.message, /corrupt\.json:3:11: invalid JSON/);
        return true;
      });
    }
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('locates JSON errors V8 does not place (an unexpected token, trailing garbage)', async () => {
    const dir = fresh();
    const cases: [string, number, number][] = [
      ['{"a": tru}', 1, 7],
      ['{"a": 1}\n\nx', 3, 1],
      ['[1,\n 2,\n]', 3, 1],
    ];
    for (const [text, line, column] of cases) {
      const file = path.join(dir, `case-${line}-${column}.json`);
      writeFileSync(file, text);
      await assert.rejects(openStore(file).read(), { code: 'STORE_PARSE', line, column });
    }
  });

  it('corrupt YAML: STORE_PARSE with file, line and column; the file is untouched by update', async () => {
    const file = path.join(fresh(), 'feeds.yaml');
    const text = 'feeds:\n  - https://a.example/rss\n  - [unclosed\nother: 1\n';
    writeFileSync(file, text);
    const store = openStore(file, { defaults: { feeds: [] as string[] } });
    for (const call of [() => store.read(), () => store.update((d) => void d.feeds.push('x'))]) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof StoreParseError);
        assert.equal(error.format, 'yaml');
        assert.equal(error.file, file);
        assert.ok(error.line >= 3, `line ${error.line}`);
        assert.ok(error.column >= 1);
        assert.match(error.message, /feeds\.yaml:\d+:\d+: invalid YAML/);
        return true;
      });
    }
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('YAML with a duplicate key or several documents is refused, not silently merged', async () => {
    const dir = fresh();
    const duplicate = path.join(dir, 'dup.yaml');
    writeFileSync(duplicate, 'a: 1\nb: 2\na: 3\n');
    await assert.rejects(openStore(duplicate).read(), { code: 'STORE_PARSE', line: 3, column: 1 });
    const several = path.join(dir, 'several.yml');
    writeFileSync(several, 'a: 1\n---\na: 2\n');
    await assert.rejects(openStore(several).read(), {
      code: 'STORE_PARSE',
      reason: /more than one YAML document/,
    });
  });

  it('a file that violates the schema: STORE_SCHEMA listing every issue; the file is untouched', async () => {
    const file = path.join(fresh(), 'bad.json');
    const text = '{"theme":"blue","size":-3,"recent":[]}';
    writeFileSync(file, text);
    const store = openStore(file, { defaults: DEFAULTS, schema: Settings });
    for (const call of [
      () => store.read(),
      () =>
        store.update((d) => {
          d.size = 1;
        }),
    ]) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof StoreSchemaError);
        assert.equal(error.source, 'file');
        assert.deepEqual(
          error.issues.map((i) => i.path),
          [['theme'], ['size']],
        );
        assert.match(error.message, /- theme: .*\n\s+- size: /);
        return true;
      });
    }
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('an update that violates the schema: STORE_SCHEMA (source update), nothing written', async () => {
    const file = path.join(fresh(), 'good.json');
    const store = openStore(file, { defaults: DEFAULTS, schema: Settings });
    await store.update((d) => {
      d.size = 14;
    });
    const text = readFileSync(file, 'utf8');
    await assert.rejects(
      store.update((d) => {
        d.size = 0;
      }),
      (error: unknown) => error instanceof StoreSchemaError && error.source === 'update',
    );
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('a value that would not read back (a Date in JSON) is refused before it is written', async () => {
    const file = path.join(fresh(), 'dates.json');
    const schema = z.object({ when: z.date().optional() });
    const store = openStore(file, { defaults: {}, schema });
    await assert.rejects(
      store.update((d) => {
        d.when = new Date();
      }),
      (error: unknown) =>
        error instanceof StoreSerializeError &&
        isDeepStrictEqual(error.path, ['when']) &&
        /a Date/.test(error.message),
    );
    assert.equal(statSync(file, { throwIfNoEntry: false }), undefined);
  });

  it('a value with no JSON form: STORE_SERIALIZE, nothing written', async () => {
    const file = path.join(fresh(), 'big.json');
    const store = openStore<{ n: unknown }>(file, { defaults: { n: 0 } });
    await assert.rejects(
      store.update((d) => {
        d.n = 10n;
      }),
      StoreSerializeError,
    );
    assert.equal(statSync(file, { throwIfNoEntry: false }), undefined);
  });

  it('invalid defaults are STORE_SCHEMA (source defaults)', async () => {
    const store = openStore(path.join(fresh(), 'd.json'), {
      defaults: { theme: 'pink' } as unknown as Settings,
      schema: Settings,
    });
    await assert.rejects(store.read(), { code: 'STORE_SCHEMA', source: 'defaults' });
  });

  it('a folder as the file: STORE_IO on read, LOCK_INVALID_ARGUMENT on update; the folder is untouched', async () => {
    const dir = fresh();
    const folder = path.join(dir, 'cfg.json');
    mkdirSync(folder);
    const store = openStore(folder, { defaults: {} });
    await assert.rejects(store.read(), (e: unknown) => e instanceof StoreIOError && /EISDIR/.test(e.message));
    await assert.rejects(
      store.update(() => ({ a: 1 })),
      LockInvalidArgumentError,
    );
    assert.deepEqual(readdirSync(folder), []);
  });

  it('a read-only folder: the update fails with a typed error and the file keeps its content', {
    skip: unprivilegedUnavailable(),
  }, async () => {
    const dir = fresh();
    chmodSync(root, 0o755);
    const noLock = path.join(dir, 'a.json');
    const withLock = path.join(dir, 'b.json');
    for (const file of [noLock, withLock]) writeFileSync(file, '{"count":1}\n', { mode: 0o666 });
    writeFileSync(`${withLock}.lock`, '', { mode: 0o666 });
    chmodSync(noLock, 0o666);
    chmodSync(withLock, 0o666);
    chmodSync(`${withLock}.lock`, 0o666);
    chmodSync(dir, 0o555);
    // As root, permission checks always pass: the child drops to nobody (uid 65534) first.
    const child = spawnChild('store-worker.ts', ['--as-nobody']);
    const ready = await child.next<{ uid: number }>('ready');
    assert.notEqual(ready.uid, 0, 'the child must not run as root');
    // No lock file yet, and none can be created: the lock says so.
    child.send({ type: 'update', file: noLock });
    const first = await child.next<{ code: string }>('error');
    // The lock file exists, but no temp file can be created: the atomic writer says so, and does not
    // fall back to writing the (writable) file in place.
    child.send({ type: 'update', file: withLock });
    const second = await child.next<{ code: string; operation: string }>('error');
    chmodSync(dir, 0o755);
    assert.equal(first.code, 'LOCK_DIRECTORY');
    assert.equal(second.code, 'ATOMIC_WRITE_IO');
    assert.equal(second.operation, 'create temp file');
    assert.equal(readFileSync(noLock, 'utf8'), '{"count":1}\n');
    assert.equal(readFileSync(withLock, 'utf8'), '{"count":1}\n');
    assert.deepEqual(readdirSync(dir).sort(), ['a.json', 'b.json', 'b.json.lock']);
  });

  it('rejects unusable arguments with STORE_INVALID_ARGUMENT', async () => {
    const dir = fresh();
    assert.throws(() => openStore(''), StoreInvalidArgumentError);
    assert.throws(() => openStore(path.join(dir, 'x.toml')), /cannot tell the format/);
    assert.throws(
      () => openStore(path.join(dir, 'x'), { format: 'ini' as 'json' }),
      StoreInvalidArgumentError,
    );
    assert.throws(
      () => openStore(path.join(dir, 'x.json'), { schema: { parse() {} } as never }),
      /Standard Schema/,
    );
    await assert.rejects(
      openStore(path.join(dir, 'x.json'), { defaults: {} }).update('nope' as never),
      StoreInvalidArgumentError,
    );
    // An explicit format wins over the extension.
    const conf = path.join(dir, 'app.conf');
    await openStore(conf, { format: 'yaml', defaults: { a: 1 } }).update((d) => {
      d.a = 2;
    });
    assert.equal(readFileSync(conf, 'utf8'), 'a: 2\n');
  });
});

describe('YAML stores keep the layout of the file', { timeout: 30_000 }, () => {
  it('keeps comments, key order and quoting of what the update did not touch', async () => {
    const file = path.join(fresh(), 'config.yaml');
    const text = [
      '# Global config of the launcher',
      'image: "debian:12" # the base image',
      '',
      '# Where things are mounted',
      'mounts:',
      '  - /home/me/src',
      'network: false',
      '',
    ].join('\n');
    writeFileSync(file, text);
    const store = openStore<{ image: string; mounts: string[]; network: boolean; gpu?: boolean }>(file);
    await store.update((draft) => {
      draft.mounts.push('/data');
      draft.gpu = true;
    });
    const written = readFileSync(file, 'utf8');
    assert.match(written, /^# Global config of the launcher\nimage: "debian:12" # the base image\n/);
    assert.match(
      written,
      /# Where things are mounted\nmounts:\n {2}- \/home\/me\/src\n {2}- \/data\nnetwork: false\ngpu: true\n$/,
    );
    assert.deepEqual(await store.read(), {
      image: 'debian:12',
      mounts: ['/home/me/src', '/data'],
      network: false,
      gpu: true,
    });
    // Removing a key removes it (and only it).
    await store.update((draft) => {
      delete draft.gpu;
      draft.network = true;
    });
    assert.match(readFileSync(file, 'utf8'), /network: true\n$/);
  });
});
