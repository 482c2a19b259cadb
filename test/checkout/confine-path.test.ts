import assert from 'node:assert/strict';
import { existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { confinePath } from '../../src/checkout/confine-path.js';
import { CheckoutPathEscapeError, openCheckouts } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';

const base = realpathSync(tempDir('locksmith-confine-'));
const root = path.join(base, 'root');
const outside = path.join(base, 'outside');
mkdirSync(path.join(root, 'sub'), { recursive: true });
mkdirSync(outside);
writeFileSync(path.join(root, 'sub', 'in.mcam'), 'in');
writeFileSync(path.join(outside, 'secret.mcam'), 'secret');
symlinkSync(path.join(outside, 'secret.mcam'), path.join(root, 'to-secret.mcam'));
symlinkSync(outside, path.join(root, 'out-dir'));
symlinkSync(path.join(outside, 'not-yet.mcam'), path.join(root, 'dangling.mcam'));
symlinkSync('sub/in.mcam', path.join(root, 'alias.mcam'));
symlinkSync(path.join(root, 'sub'), path.join(root, 'sub-link'));

async function refused(file: string): Promise<CheckoutPathEscapeError> {
  const error = await confinePath(root, file).then(
    (c) => assert.fail(`${file} was accepted as ${c.name}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof CheckoutPathEscapeError, String(error));
  assert.equal(error.code, 'CHECKOUT_PATH_ESCAPE');
  assert.equal(error.file, file);
  assert.equal(error.root, root);
  return error;
}

describe('confinePath: names stay inside the root', { timeout: 30_000 }, () => {
  it('accepts relative and absolute names inside, with their name relative to the root', async () => {
    assert.deepEqual(await confinePath(root, 'sub/in.mcam'), {
      name: 'sub/in.mcam',
      path: path.join(root, 'sub', 'in.mcam'),
    });
    assert.equal((await confinePath(root, path.join(root, 'sub', 'in.mcam'))).name, 'sub/in.mcam');
    assert.equal((await confinePath(root, './sub/../sub/in.mcam')).name, 'sub/in.mcam');
    assert.equal((await confinePath(root, 'not-there/new.mcam')).name, 'not-there/new.mcam');
  });

  it('names a file reached through a link inside the root by its real name', async () => {
    assert.equal((await confinePath(root, 'alias.mcam')).name, 'sub/in.mcam');
    assert.equal((await confinePath(root, 'sub-link/in.mcam')).name, 'sub/in.mcam');
  });

  it('refuses ../, absolute paths elsewhere, and links leading out (also dangling ones)', async () => {
    assert.equal((await refused('../outside/secret.mcam')).via, 'dot-dot');
    assert.equal((await refused('sub/../../outside/secret.mcam')).via, 'dot-dot');
    assert.equal((await refused('..')).via, 'dot-dot');
    assert.equal((await refused(path.join(outside, 'secret.mcam'))).via, 'absolute');
    assert.equal((await refused('/etc/passwd')).via, 'absolute');
    const link = await refused('to-secret.mcam');
    assert.equal(link.via, 'symlink');
    assert.equal(link.resolved, path.join(outside, 'secret.mcam'));
    assert.equal((await refused('out-dir/secret.mcam')).via, 'symlink');
    assert.equal((await refused('out-dir/new.mcam')).via, 'symlink');
    assert.equal((await refused('dangling.mcam')).via, 'symlink');
  });

  it('the registry refuses escapes before touching anything', async () => {
    const registry = openCheckouts(root);
    for (const file of ['../outside/secret.mcam', path.join(outside, 'secret.mcam'), 'to-secret.mcam']) {
      await assert.rejects(registry.checkout(file, { owner: 'mallory' }), CheckoutPathEscapeError);
      await assert.rejects(registry.status(file), CheckoutPathEscapeError);
      await assert.rejects(registry.checkin(file, { owner: 'mallory' }), CheckoutPathEscapeError);
      await assert.rejects(registry.breakCheckout(file, { reason: 'x' }), CheckoutPathEscapeError);
    }
    assert.equal(existsSync(path.join(root, '.locksmith')), false, 'no registry, no audit line');
    assert.deepEqual(
      (await registry.list()).map((f) => f.name),
      ['sub/in.mcam'],
      'links are not followed when listing',
    );
  });
});
