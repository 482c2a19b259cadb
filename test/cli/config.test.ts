import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type ConfigRequest, configCommand, parseKeyPath, parseValue } from '../../src/cli/config.js';
import { EXIT, exitCodeFor } from '../../src/cli/exit-codes.js';
import { main } from '../../src/cli/main.js';
import * as api from '../../src/index.js';
import { killChildrenAfter } from '../helpers/children.js';
import { captureCli, runCli } from '../helpers/cli.js';
import { caseFolders } from '../helpers/tmp.js';

killChildrenAfter();
const fresh = caseFolders();

async function config(request: ConfigRequest): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await configCommand(request, {
    stdout: {
      write: (text) => {
        stdout += text;
      },
    },
    stderr: {
      write: (text) => {
        stderr += text;
      },
    },
  });
  return { code, stdout, stderr };
}

describe('locksmith config (the command behind the parsed arguments)', { timeout: 30_000 }, () => {
  it('set creates the file and nested keys; get prints values, --json prints JSON', async () => {
    const file = path.join(fresh(), 'app.json');
    assert.equal((await config({ action: 'set', file, key: 'server.port', value: '8080' })).code, 0);
    assert.equal((await config({ action: 'set', file, key: 'server.host', value: 'example.org' })).code, 0);
    assert.equal((await config({ action: 'set', file, key: 'tags', value: '["a","b"]' })).code, 0);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
      server: { port: 8080, host: 'example.org' },
      tags: ['a', 'b'],
    });
    assert.deepEqual(await config({ action: 'get', file, key: 'server.host' }), {
      code: 0,
      stdout: 'example.org\n',
      stderr: '',
    });
    assert.equal(
      (await config({ action: 'get', file, key: 'server.host', json: true })).stdout,
      '"example.org"\n',
    );
    assert.equal((await config({ action: 'get', file, key: 'server.port' })).stdout, '8080\n');
    assert.equal((await config({ action: 'get', file, key: 'tags.1' })).stdout, 'b\n');
    const whole = await config({ action: 'get', file, json: true });
    assert.deepEqual(JSON.parse(whole.stdout), JSON.parse(readFileSync(file, 'utf8')));
  });

  it('set on a list: replaces an index, appends at its length, refuses past it', async () => {
    const file = path.join(fresh(), 'list.json');
    writeFileSync(file, '{"xs":[1,2]}\n');
    assert.equal((await config({ action: 'set', file, key: 'xs.0', value: '10' })).code, 0);
    assert.equal((await config({ action: 'set', file, key: 'xs.2', value: '3' })).code, 0);
    const past = await config({ action: 'set', file, key: 'xs.9', value: '3' });
    assert.equal(past.code, 64);
    assert.match(past.stderr, /is not an index of it \(0 to 3\)/);
    // A minified file stays minified: only the changed values' bytes change.
    assert.equal(readFileSync(file, 'utf8'), '{"xs":[10,2,3]}\n');
  });

  it('unset removes a key (and a list item); unsetting what is not there changes nothing', async () => {
    const dir = fresh();
    const file = path.join(dir, 'app.yaml');
    writeFileSync(file, '# settings\nname: demo # the name\nold: 1\nlist: [a, b]\n');
    assert.equal((await config({ action: 'unset', file, key: 'old' })).code, 0);
    assert.equal((await config({ action: 'unset', file, key: 'list.0' })).code, 0);
    assert.equal(readFileSync(file, 'utf8'), '# settings\nname: demo # the name\nlist: [b]\n');
    const before = statSync(file);
    const nothing = await config({ action: 'unset', file, key: 'missing.deep' });
    assert.equal(nothing.code, 0);
    assert.match(nothing.stderr, /unchanged/);
    assert.equal(statSync(file).mtimeMs, before.mtimeMs);
  });

  it('get of a key that is not set: status 1; of a missing file: status 66', async () => {
    const dir = fresh();
    const file = path.join(dir, 'a.json');
    writeFileSync(file, '{"a":{"b":1}}');
    const unset = await config({ action: 'get', file, key: 'a.c' });
    assert.equal(unset.code, 1);
    assert.match(unset.stderr, /a\.c is not set/);
    assert.equal(unset.stdout, '');
    const missing = await config({ action: 'get', file: path.join(dir, 'none.json'), key: 'a' });
    assert.equal(missing.code, 66);
    assert.match(missing.stderr, /does not exist/);
  });

  it('a corrupt file: status 65 with line and column, and the file is untouched', async () => {
    const file = path.join(fresh(), 'bad.yaml');
    const text = 'a: 1\nb: [2\n';
    writeFileSync(file, text);
    for (const request of [
      { action: 'get', file, key: 'a' },
      { action: 'set', file, key: 'a', value: '2' },
      { action: 'unset', file, key: 'a' },
    ] as ConfigRequest[]) {
      const result = await config(request);
      assert.equal(result.code, 65, `${request.action}: ${result.stderr}`);
      assert.match(result.stderr, /bad\.yaml:\d+:\d+: invalid YAML/);
    }
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('bad requests: status 64 and nothing written', async () => {
    const dir = fresh();
    const file = path.join(dir, 'c.json');
    writeFileSync(file, '{"s":"text"}');
    for (const request of [
      { action: 'set', file, key: 's.inner', value: '1' },
      { action: 'set', file, key: '__proto__.polluted', value: '1' },
      { action: 'set', file, key: 'a..b', value: '1' },
      { action: 'set', file, value: '1' },
      { action: 'set', file, key: 'x' },
      { action: 'set', file: path.join(dir, 'c.toml'), key: 'x', value: '1' },
    ] as ConfigRequest[]) {
      const result = await config(request);
      assert.equal(result.code, 64, `${JSON.stringify(request)}: ${result.stderr}`);
    }
    assert.equal(readFileSync(file, 'utf8'), '{"s":"text"}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('a busy file with a timeout: status 1, naming the holder', async () => {
    const file = path.join(fresh(), 'busy.json');
    const { lock } = await import('../../src/index.js');
    const held = await lock(file);
    try {
      const result = await config({ action: 'set', file, key: 'a', value: '1', timeout: 0 });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`held by pid ${process.pid}`));
    } finally {
      await held.release();
    }
  });

  it('parses key paths and values', () => {
    assert.deepEqual(parseKeyPath('a.b\\.c.0'), ['a', 'b.c', '0']);
    assert.throws(() => parseKeyPath('a.'), /empty segment/);
    assert.throws(() => parseKeyPath('constructor'), /cannot be used/);
    assert.equal(parseValue('42'), 42);
    assert.equal(parseValue('true'), true);
    assert.equal(parseValue('null'), null);
    assert.equal(parseValue('"7"'), '7');
    assert.equal(parseValue('hello world'), 'hello world');
    assert.deepEqual(parseValue('{"a":[1]}'), { a: [1] });
  });
});

describe('locksmith config (the command line)', { timeout: 90_000 }, () => {
  it('get, set and unset through main()', async () => {
    const file = path.join(fresh(), 'settings.yaml');
    const set = captureCli();
    assert.equal(await main(['config', 'set', file, 'server.port', '8080'], set), 0, set.err);
    const get = captureCli();
    assert.equal(await main(['config', 'get', file, 'server.port'], get), 0, get.err);
    assert.equal(get.out, '8080\n');
    const negative = captureCli();
    assert.equal(
      await main(['config', 'set', '-w', '5', file, 'offset', '--', '-1'], negative),
      0,
      negative.err,
    );
    const json = captureCli();
    assert.equal(await main(['config', 'get', '--json', file], json), 0, json.err);
    assert.deepEqual(JSON.parse(json.out), { server: { port: 8080 }, offset: -1 });
    const unset = captureCli();
    assert.equal(await main(['config', 'unset', file, 'server'], unset), 0, unset.err);
    assert.equal(readFileSync(file, 'utf8'), 'offset: -1\n');
    const missing = captureCli();
    assert.equal(await main(['config', 'get', file, 'server.port'], missing), 1);
    assert.match(missing.err, /server\.port is not set/);
  });

  it('every store error code has its exit status (none falls through to 70)', () => {
    const stores = Object.values(api).filter(
      (value): value is typeof api.LocksmithError =>
        typeof value === 'function' &&
        value.prototype instanceof api.LocksmithError &&
        (value as typeof api.LocksmithError).code.startsWith('STORE_'),
    );
    assert.ok(stores.some((cls) => cls.code === 'STORE_TOO_DEEP'));
    for (const cls of stores) {
      const error = Object.create(cls.prototype) as api.LocksmithError;
      Object.defineProperty(error, 'code', { value: cls.code });
      assert.notEqual(exitCodeFor(error), EXIT.SOFTWARE, cls.code);
    }
    assert.equal(exitCodeFor(new api.StoreTooDeepError('f', 1000, { line: 1, column: 1 })), EXIT.DATA);
  });

  it('usage errors exit 64; help documents the exit statuses', async () => {
    const file = path.join(fresh(), 'x.json');
    for (const argv of [
      ['config', 'get'],
      ['config', 'set', file, 'k'],
      ['config', 'unset', file],
      ['config', 'frobnicate', file],
      ['config', 'set', '-w', 'soon', file, 'k', 'v'],
      ['config', 'get', file, 'a..b'],
    ]) {
      const cli = captureCli();
      assert.equal(await main(argv, cli), 64, `${argv.join(' ')}: ${cli.err}`);
      assert.equal(cli.out, '', argv.join(' '));
    }
    const help = captureCli();
    assert.equal(await main(['--help'], help), 0);
    assert.match(help.out, /config/);
    const configHelp = captureCli();
    assert.equal(await main(['config', '--help'], configHelp), 0);
    for (const status of ['0', '1', '64', '65', '66', '73', '74']) {
      assert.match(
        configHelp.out,
        new RegExp(`^  ${status} +\\S`, 'm'),
        `exit status ${status} is documented`,
      );
    }
  });

  it('concurrent `locksmith config set` processes lose no update', async () => {
    const file = path.join(fresh(), 'shared.json');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        runCli(['config', 'set', file, `keys.k${i}`, String(i)], { timeout: 60_000 }),
      ),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
      keys: { k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5 },
    });
  });
});
