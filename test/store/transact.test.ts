import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { openStore, StoreInvalidArgumentError, StoreSchemaError, transact } from '../../src/index.js';
import { caseFolders } from '../helpers/tmp.js';

const fresh = caseFolders();

const Global = z.object({ images: z.array(z.string()), mounts: z.array(z.string()) });
const Project = z.object({ image: z.string().optional(), runs: z.number().int().nonnegative() });

function pair(dir: string) {
  const global = openStore(path.join(dir, 'config.yaml'), {
    schema: Global,
    defaults: { images: ['debian:12', 'alpine:3'], mounts: [] },
  });
  const project = openStore(path.join(dir, 'projects', 'demo.json'), {
    schema: Project,
    defaults: { runs: 0 },
  });
  mkdirSync(path.join(dir, 'projects'));
  return { global, project };
}

describe('transact', { timeout: 30_000 }, () => {
  it('updates several stores together and returns their frozen values, typed, in order', async () => {
    const { global, project } = pair(fresh());
    const [g, p] = await transact([global, project], async ([g, p]) => {
      p.image ??= g.images[0];
      p.runs++;
      g.mounts.push('/src');
    });
    assert.deepEqual(p, { image: 'debian:12', runs: 1 });
    assert.deepEqual(g.mounts, ['/src']);
    assert.ok(Object.isFrozen(p) && Object.isFrozen(g.mounts));
    assert.deepEqual(await project.read(), p);
    assert.deepEqual(await global.read(), g);
  });

  it('writes nothing at all when the function throws', async () => {
    const dir = fresh();
    const { global, project } = pair(dir);
    await assert.rejects(
      transact([global, project], ([g, p]) => {
        g.mounts.push('/x');
        p.runs = 5;
        throw new Error('user pressed ^C');
      }),
      /user pressed/,
    );
    assert.deepEqual(readdirSync(dir).sort(), ['config.yaml.lock', 'projects']);
    assert.deepEqual(readdirSync(path.join(dir, 'projects')), ['demo.json.lock']);
  });

  it('writes nothing at all when one of the new values fails its schema', async () => {
    const dir = fresh();
    const { global, project } = pair(dir);
    await transact([global, project], ([g]) => {
      g.mounts.push('/a');
    });
    const before = readFileSync(path.join(dir, 'config.yaml'), 'utf8');
    await assert.rejects(
      transact([global, project], ([g, p]) => {
        g.mounts.push('/b'); // valid
        p.runs = -1; // invalid
      }),
      (error: unknown) => error instanceof StoreSchemaError && error.source === 'update',
    );
    assert.equal(readFileSync(path.join(dir, 'config.yaml'), 'utf8'), before);
    assert.equal(statSync(path.join(dir, 'projects', 'demo.json'), { throwIfNoEntry: false }), undefined);
  });

  it('writes nothing at all when a later file cannot be written', async () => {
    const dir = fresh();
    const { global, project } = pair(dir);
    writeFileSync(path.join(dir, 'config.yaml'), 'images: [a]\nmounts: []\n');
    await assert.rejects(
      transact([global, project], ([g, p]) => {
        g.mounts.push('/b');
        p.runs = 1;
        // The project file's place is taken by a folder before the write: its temp file cannot replace it.
        mkdirSync(project.path);
      }),
      { code: 'ATOMIC_WRITE_INVALID_ARGUMENT' },
    );
    assert.equal(readFileSync(path.join(dir, 'config.yaml'), 'utf8'), 'images: [a]\nmounts: []\n');
    assert.deepEqual(readdirSync(dir).sort(), ['config.yaml', 'config.yaml.lock', 'projects']);
  });

  it('writes nothing at all when one of its lock files was removed meanwhile', async () => {
    const dir = fresh();
    const { global, project } = pair(dir);
    await assert.rejects(
      transact([global, project], ([g, p]) => {
        g.mounts.push('/b');
        p.runs = 1;
        rmSync(`${project.path}.lock`);
      }),
      { code: 'LOCK_COMPROMISED' },
    );
    assert.deepEqual(readdirSync(dir).sort(), ['config.yaml.lock', 'projects']);
    assert.deepEqual(readdirSync(path.join(dir, 'projects')), []);
  });

  it('never deadlocks: [a, b] and [b, a] from many tasks all complete, none lost', async () => {
    const dir = fresh();
    const a = openStore(path.join(dir, 'a.json'), { defaults: { n: 0 }, durable: false });
    const b = openStore(path.join(dir, 'b.json'), { defaults: { n: 0 }, durable: false });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2
          ? transact([a, b], ([x, y]) => {
              x.n++;
              y.n++;
            })
          : transact([b, a], ([y, x]) => {
              x.n++;
              y.n++;
            }),
      ),
    );
    assert.equal((await a.read()).n, 20);
    assert.equal((await b.read()).n, 20);
  });

  it('rejects unusable arguments with STORE_INVALID_ARGUMENT', async () => {
    const dir = fresh();
    const a = openStore(path.join(dir, 'a.json'), { defaults: {} });
    const again = openStore(path.join(dir, '.', 'a.json'), { defaults: {} });
    await assert.rejects(
      transact([], () => {}),
      StoreInvalidArgumentError,
    );
    await assert.rejects(
      transact([a, again], () => {}),
      /same file twice/,
    );
    await assert.rejects(
      transact([{ path: 'x', format: 'json' }], () => {}),
      /stores from openStore/,
    );
    await assert.rejects(transact([a], 'nope' as never), StoreInvalidArgumentError);
  });
});

describe('an update inside an update of the same file', { timeout: 10_000 }, () => {
  it('is refused at once instead of waiting for itself forever; other files are fine', async () => {
    const dir = fresh();
    const a = openStore(path.join(dir, 'a.json'), { defaults: { n: 0 } });
    const b = openStore(path.join(dir, 'b.json'), { defaults: { n: 0 } });
    await assert.rejects(
      a.update(async () => {
        await a.update(() => {});
      }),
      (error: unknown) => error instanceof StoreInvalidArgumentError && /wait for itself/.test(error.message),
    );
    await assert.rejects(
      transact([a, b], async () => {
        await b.update(() => {});
      }),
      StoreInvalidArgumentError,
    );
    await assert.rejects(
      a.update(async () => {
        await transact([b, a], () => {});
      }),
      StoreInvalidArgumentError,
    );
    // A different file may be updated from inside, and the refusal wrote nothing.
    await a.update(async (draft) => {
      draft.n = (await b.update((d) => void d.n++)).n;
    });
    assert.deepEqual([(await a.read()).n, (await b.read()).n], [1, 1]);
  });
});
