// Issue 18, rows 5 to 9: a store update changes the bytes of what it changed, and nothing else; what it
// cannot write faithfully it refuses with a typed error, writing nothing.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { type ConfigRequest, configCommand } from '../../src/cli/config.js';
import { openStore, StoreParseError, StoreSerializeError, StoreTooDeepError } from '../../src/index.js';
import { caseFolders } from '../helpers/tmp.js';

const fresh = caseFolders();

async function config(request: ConfigRequest): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await configCommand(request, {
    stdout: { write: () => {} },
    stderr: {
      write: (text) => {
        stderr += text;
      },
    },
  });
  return { code, stderr };
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(fresh(), name);
  writeFileSync(file, content);
  return file;
}

describe('row 5: bytes that are not UTF-8, in a value the update does not touch', { timeout: 30_000 }, () => {
  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  for (const [name, before, after] of [
    ['l.json', latin1('{"name": "caf\xe9", "port": 1}\n'), latin1('{"name": "caf\xe9", "port": 2}\n')],
    ['l.yaml', latin1('name: caf\xe9 # \xff\nport: 1\n'), latin1('name: caf\xe9 # \xff\nport: 2\n')],
  ] as const) {
    it(`keep their bytes (${name}, config set port 2)`, async () => {
      const file = write(name, before);
      assert.equal((await config({ action: 'set', file, key: 'port', value: '2' })).code, 0);
      assert.deepEqual(readFileSync(file), after);
    });
  }

  it('read as U+DC00 + byte (lossless), and a value set to what was read writes the same bytes', async () => {
    const file = write(
      's.json',
      Buffer.concat([Buffer.from('{"a": "\xe9t\xe9", "b": "'), Buffer.of(0xe9), Buffer.from('"}')]),
    );
    const store = openStore<{ a: string; b: string; c?: string }>(file);
    const value = await store.read();
    assert.equal(value.b, '\udce9');
    await store.update((draft) => {
      draft.a = 'x';
    });
    assert.deepEqual(readFileSync(file).subarray(-4), Buffer.from([0x22, 0xe9, 0x22, 0x7d]));
  });
});

describe('row 6: an update setting what does not read back the same', { timeout: 30_000 }, () => {
  class Point {
    x = 1;
  }
  const cases: [string, (draft: Record<string, unknown>) => void, (string | number)[]][] = [
    [
      'a Date',
      (d) => {
        d.meta = { created: new Date(0) };
      },
      ['meta', 'created'],
    ],
    [
      'a Map',
      (d) => {
        d.m = new Map([[1, 2]]);
      },
      ['m'],
    ],
    [
      'a Set',
      (d) => {
        d.list = [1, new Set([1])];
      },
      ['list', 1],
    ],
    [
      'NaN',
      (d) => {
        d.n = Number.NaN;
      },
      ['n'],
    ],
    [
      'Infinity',
      (d) => {
        d.deep = { n: [Number.POSITIVE_INFINITY] };
      },
      ['deep', 'n', 0],
    ],
    [
      'undefined in an array',
      (d) => {
        d.list = [1, undefined];
      },
      ['list', 1],
    ],
    [
      'a hole in an array',
      (d) => {
        const list = [1, 2, 3];
        delete list[1];
        d.list = list;
      },
      ['list', 1],
    ],
    [
      'a bigint',
      (d) => {
        d.big = 1n;
      },
      ['big'],
    ],
    [
      'a function',
      (d) => {
        d.fn = () => 1;
      },
      ['fn'],
    ],
    [
      'a class instance',
      (d) => {
        d.p = new Point();
      },
      ['p'],
    ],
    [
      'a RegExp',
      (d) => {
        d.r = /x/;
      },
      ['r'],
    ],
    [
      'a cycle',
      (d) => {
        d.self = d;
      },
      ['self', 'self'], // where the loop closes
    ],
  ];
  for (const format of ['json', 'yaml'] as const) {
    for (const [what, change, where] of cases) {
      it(`${format}: ${what} is STORE_SERIALIZE naming ${where.join('.')}, nothing written`, async () => {
        const text = format === 'json' ? '{"keep": 1}\n' : 'keep: 1\n';
        const file = write(`six.${format}`, text);
        await assert.rejects(
          openStore<Record<string, unknown>>(file).update(change),
          (error: unknown) => error instanceof StoreSerializeError && isDeepStrictEqual(error.path, where),
        );
        assert.equal(readFileSync(file, 'utf8'), text);
      });
    }
  }

  it('with a schema that accepts the Date: still refused, naming the path', async () => {
    const file = write('schema.json', '{}');
    const schema = z.object({ meta: z.object({ created: z.date() }).optional() });
    await assert.rejects(
      openStore(file, { schema }).update((d) => {
        d.meta = { created: new Date(0) };
      }),
      (error: unknown) =>
        error instanceof StoreSerializeError &&
        isDeepStrictEqual(error.path, ['meta', 'created']) &&
        /meta\.created: a Date/.test(error.message),
    );
    assert.equal(readFileSync(file, 'utf8'), '{}');
  });
});

describe('row 7: YAML keeps what an update of another key does not touch', { timeout: 30_000 }, () => {
  const FILE = [
    '# service settings',
    'defaults: &defaults',
    '  retries: 3   # why three',
    '  timeout: 10',
    'primary:',
    '  <<: *defaults',
    '  host: a.example',
    'mirror: *defaults',
    'key: !!binary aGVsbG8=',
    'when: !!timestamp 2001-12-14t21:59:43.10-05:00',
    'custom: !thing {a: 1}',
    '1: one',
    '"1": uno',
    "quoted: 'single'",
    'version: 1',
    '',
  ].join('\n');

  it('anchors, aliases, merge keys, tags and both spellings of key 1 (config set version 2)', async () => {
    const file = write('seven.yaml', FILE);
    const result = await config({ action: 'set', file, key: 'version', value: '2' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(file, 'utf8'), FILE.replace('version: 1', 'version: 2'));
  });

  it("a key set where a merge key provides it is written as the map's own key; the anchor is untouched", async () => {
    const file = write('merge.yaml', FILE);
    const value = await openStore<{ primary: { timeout: number }; defaults: { timeout: number } }>(
      file,
    ).update((d) => {
      d.primary.timeout = 20;
    });
    assert.equal(value.primary.timeout, 20);
    assert.equal(value.defaults.timeout, 10);
    assert.equal(
      readFileSync(file, 'utf8'),
      FILE.replace('  host: a.example\n', '  host: a.example\n  timeout: 20\n'),
    );
  });

  it('a value reached through an alias is written out in place of that alias only', async () => {
    const file = write('alias.yaml', FILE.replace('mirror: *defaults', 'mirror: *defaults # copy'));
    const store = openStore<Record<string, Record<string, unknown>>>(file);
    await store.update((d) => {
      d.mirror = { ...d.mirror, retries: 5 };
    });
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^mirror:\n {2}retries: 5\n {2}timeout: 10 # copy\n/m);
    assert.ok(text.startsWith(FILE.slice(0, FILE.indexOf('mirror:'))));
    assert.deepEqual((await store.read()).defaults, { retries: 3, timeout: 10 });
  });

  it('setting key "1" when both 1: and "1": exist is refused, naming it; nothing written', async () => {
    const file = write('ones.yaml', FILE);
    const result = await config({ action: 'set', file, key: '1', value: 'x' });
    assert.equal(result.code, 65);
    assert.match(result.stderr, /1: 2 keys of this map read as "1" \(1, "1"\)/);
    assert.equal(readFileSync(file, 'utf8'), FILE);
  });

  it('several YAML documents: refused at read with a clear STORE_PARSE, nothing written', async () => {
    const text = 'kind: A\n---\nkind: B\n';
    const file = write('multi.yaml', text);
    const result = await config({ action: 'set', file, key: 'kind', value: 'C' });
    assert.equal(result.code, 65);
    assert.match(result.stderr, /more than one YAML document/);
    assert.equal(readFileSync(file, 'utf8'), text);
  });
});

describe('row 8: JSON duplicate keys, a BOM, a minified file', { timeout: 30_000 }, () => {
  it('a duplicate key is STORE_PARSE at read, with line and column of the second; nothing written', async () => {
    const text = '{\n  "a": 1,\n  "b": {"x": 1,\n    "x": 2}\n}\n';
    const file = write('dup.json', text);
    await assert.rejects(
      openStore(file).read(),
      (error: unknown) => error instanceof StoreParseError && error.line === 4 && error.column === 5,
    );
    const result = await config({ action: 'set', file, key: 'a', value: '2' });
    assert.equal(result.code, 65);
    assert.match(result.stderr, /dup\.json:4:5: invalid JSON: duplicate key "x" \(first at 3:9\)/);
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('a BOM is kept, and so is the rest of the layout', async () => {
    const text = '\uFEFF{\n    "name": "x",\n    "port": 1\n}';
    const file = write('bom.json', text);
    assert.equal((await config({ action: 'set', file, key: 'port', value: '2' })).code, 0);
    assert.equal(readFileSync(file, 'utf8'), text.replace('1', '2'));
  });

  it('a minified file stays minified: only the changed value, and a new key, are written', async () => {
    const text = '{"a":{"b":[1,2,3],"c":"x"},"d":1.0,"e":"\\u00e9"}';
    const file = write('min.json', text);
    assert.equal((await config({ action: 'set', file, key: 'a.c', value: 'y' })).code, 0);
    assert.equal((await config({ action: 'set', file, key: 'f', value: '{"g":[true]}' })).code, 0);
    assert.equal((await config({ action: 'unset', file, key: 'a.b.1' })).code, 0);
    assert.equal(
      readFileSync(file, 'utf8'),
      '{"a":{"b":[1,3],"c":"y"},"d":1.0,"e":"\\u00e9","f":{"g":[true]}}',
    );
  });
});

describe('row 9: 100 000 levels of nesting', { timeout: 30_000 }, () => {
  const N = 100_000;
  for (const [name, text] of [
    ['deep.json', `{"a":${'['.repeat(N)}${']'.repeat(N)}}`],
    ['deep.yaml', `a: ${'['.repeat(N)}${']'.repeat(N)}\n`],
    ['dash.yaml', `${'- '.repeat(N)}x\n`],
  ] as const) {
    it(`${name}: STORE_TOO_DEEP at read; config set exits 65; the file is intact`, async () => {
      const file = write(name, text);
      await assert.rejects(
        openStore(file).read(),
        (e: unknown) => e instanceof StoreTooDeepError && e.line === 1,
      );
      const result = await config({ action: 'set', file, key: 'b', value: '1' });
      assert.equal(result.code, 65);
      assert.match(result.stderr, /nested deeper than 1000 levels/);
      assert.equal(readFileSync(file, 'utf8'), text);
    });
  }

  it('an update that would write 100 000 levels: STORE_TOO_DEEP naming the path, nothing written', async () => {
    const file = write('grow.json', '{}');
    let deep: unknown = 1;
    for (let i = 0; i < N; i++) deep = [deep];
    await assert.rejects(
      openStore<Record<string, unknown>>(file).update((d) => {
        d.a = deep;
      }),
      (e: unknown) => e instanceof StoreTooDeepError && e.path?.[0] === 'a' && e.path.length === 1001,
    );
    assert.equal(readFileSync(file, 'utf8'), '{}');
  });
});
