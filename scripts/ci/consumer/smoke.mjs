// Run inside a fresh consumer folder where the packed tarball was installed (see ../pack-smoke.sh): the
// package as a user gets it. Exits non-zero on the first failed check; every child is bounded in time.
import assert from 'node:assert/strict';
import { execFileSync, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect, lock, openStore, tryLock, writeFileAtomic } from 'locksmith';

const dir = process.cwd();
const target = path.join(dir, 'data', 'shared.json');
const checks = [];
const ok = (name) => {
  checks.push(name);
  console.log(`ok - ${name}`);
};

// Nothing from locksmith's devDependencies (nor pg, an optional peer) was installed with it.
for (const dev of ['tsx', 'esbuild', 'typescript', '@types/pg', 'pg', '@biomejs/biome', 'zod']) {
  assert.equal(existsSync(path.join(dir, 'node_modules', dev)), false, `${dev} was installed`);
}
ok('no devDependency installed');

// A lock across two processes: a child holds it, we see it held (naming the child), then get it.
const child = fork(path.join(dir, 'holder.mjs'), [target], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
try {
  const held = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`holder exited early (${code})`)));
  });
  assert.equal(held, 'held');
  assert.equal(await tryLock(target), undefined, 'tryLock got a lock another process holds');
  const status = await inspect(target);
  assert.equal(status.locked, true);
  assert.equal(status.holder?.pid, child.pid);
  const cli = execFileSync('npx', ['--no-install', 'locksmith', 'status', '--json', target], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  const [row] = JSON.parse(cli);
  assert.equal(row.locked, true);
  assert.equal(row.holder.pid, child.pid);
  ok('npx locksmith status names the other process');
  const waiting = lock(target, { timeout: 20_000 });
  child.send('release');
  const handle = await waiting;
  ok('lock across two processes: busy while held, handed over on release');
  await handle.release();
} finally {
  clearTimeout(killer);
  child.kill('SIGKILL');
}

// A store update and an atomic write.
const store = openStore(path.join(dir, 'data', 'settings.json'), { defaults: { count: 0 } });
await store.update((draft) => {
  draft.count += 1;
});
assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'data', 'settings.json'), 'utf8')), { count: 1 });
await writeFileAtomic(path.join(dir, 'data', 'note.txt'), 'hello');
ok('store update and atomic write');

// `await using` in a plain .mjs: a syntax error before Node 24 (the README says so).
const major = Number(process.versions.node.split('.')[0]);
let usingWorks;
try {
  execFileSync(process.execPath, [path.join(dir, 'await-using.mjs'), target], {
    stdio: 'pipe',
    timeout: 30_000,
  });
  usingWorks = true;
} catch (error) {
  assert.match(String(error.stderr), /SyntaxError/, String(error.stderr));
  usingWorks = false;
}
assert.equal(usingWorks, major >= 24, `await using on Node ${process.versions.node}`);
ok(`await using in .mjs ${usingWorks ? 'works' : 'is a syntax error'} on Node ${process.versions.node}`);

console.log(`smoke: ${checks.length} passed, 0 failed on Node ${process.versions.node}`);
