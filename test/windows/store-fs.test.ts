// The store's concurrency and the atomic writer where Windows differs: a rename over a file that a reader
// has open (with and without FILE_SHARE_DELETE), EPERM/EBUSY retries, and the read-only attribute.
import assert from 'node:assert/strict';
import {
  chmodSync,
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AtomicWriteError, openStore, writeFileAtomic } from '../../src/index.js';
import { subDir, tempDir, worker } from './helpers.js';

const base = tempDir('locksmith-win-store-');
let n = 0;
const folder = () => subDir(base, `case-${++n}`);

/** CreateFileW with the sharing mode of a program that does not let others delete or rename the file. */
function openWithoutShareDelete(file: string): () => void {
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const kernel32 = koffi.load('kernel32.dll');
  const createFile = kernel32.func('__stdcall', 'CreateFileW', 'void *', [
    'str16',
    'uint32_t',
    'uint32_t',
    'void *',
    'uint32_t',
    'uint32_t',
    'void *',
  ]) as (...args: unknown[]) => unknown;
  const closeHandle = kernel32.func('__stdcall', 'CloseHandle', 'bool', ['void *']) as (
    h: unknown,
  ) => boolean;
  const GENERIC_READ = 0x80000000;
  const FILE_SHARE_READ = 0x1;
  const OPEN_EXISTING = 3;
  const handle = createFile(file, GENERIC_READ, FILE_SHARE_READ, null, OPEN_EXISTING, 0x80, null);
  assert.notEqual(koffi.address(handle), -1n, 'CreateFileW failed');
  let open = true;
  return () => {
    if (open) closeHandle(handle);
    open = false;
  };
}

const temps = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

describe('the store and the atomic writer on Windows', { timeout: 240_000 }, () => {
  it('3 processes × 15 store updates → exactly 45, and every read parses', { timeout: 180_000 }, async () => {
    const file = path.join(folder(), 'count.json');
    const store = openStore<{ count: number }>(file, { defaults: { count: 0 } });
    const workers = await Promise.all([worker(), worker(), worker()]);
    for (const w of workers) w.send({ type: 'store', path: file, times: 15 });
    let done = false;
    let reads = 0;
    const reading = (async () => {
      while (!done) {
        const { count } = await store.read(); // throws STORE_PARSE on a torn file
        assert.ok(count >= 0 && count <= 45);
        reads++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await Promise.all(workers.map((w) => w.next('done', 170_000)));
    done = true;
    await reading;
    assert.deepEqual(await store.read(), { count: 45 });
    assert.ok(reads > 0);
  });

  // Unlike POSIX, Windows refuses to rename over a file that is open, even when its reader allowed deletes
  // (Node's own fs.open passes FILE_SHARE_DELETE): the writer retries, and the reader closing ends it.
  const readers = {
    "Node's fs.open": (file: string) => {
      const fd = openSync(file, 'r');
      let open = true;
      return () => {
        if (open) closeSync(fd);
        open = false;
      };
    },
    'CreateFileW without FILE_SHARE_DELETE': openWithoutShareDelete,
  };
  for (const [name, openReader] of Object.entries(readers)) {
    it(`retries a rename refused while a reader has the file open (${name}) until it closes`, {
      timeout: 30_000,
    }, async (t) => {
      const dir = folder();
      const file = path.join(dir, 'report.txt');
      writeFileSync(file, 'old');
      const close = openReader(file);
      try {
        // The precondition: a plain rename over it is refused while the reader has it open.
        const probe = path.join(dir, 'probe');
        writeFileSync(probe, 'x');
        let code = 'none';
        try {
          renameSync(probe, file);
        } catch (error) {
          code = (error as NodeJS.ErrnoException).code ?? '?';
        }
        t.diagnostic(`rename over a file open by ${name}: ${code}`);
        assert.ok(code === 'EPERM' || code === 'EBUSY' || code === 'EACCES', `rename gave ${code}`);
        const writing = writeFileAtomic(file, 'new');
        setTimeout(close, 300); // the reader closes while the writer retries
        await writing;
      } finally {
        close();
      }
      assert.equal(readFileSync(file, 'utf8'), 'new');
      assert.deepEqual(
        temps(dir).filter((f) => f !== 'probe'),
        [],
      );
    });
  }

  it('gives up with ATOMIC_WRITE_IO when the reader never closes, and the old file stays whole', {
    timeout: 30_000,
  }, async () => {
    const dir = folder();
    const file = path.join(dir, 'report.txt');
    writeFileSync(file, 'old');
    const close = openWithoutShareDelete(file);
    try {
      const started = performance.now();
      await assert.rejects(writeFileAtomic(file, 'new'), (error: unknown) => {
        assert.ok(error instanceof AtomicWriteError);
        assert.equal(error.code, 'ATOMIC_WRITE_IO');
        return true;
      });
      assert.ok(performance.now() - started >= 1_000, 'it retried before giving up');
    } finally {
      close();
    }
    assert.equal(readFileSync(file, 'utf8'), 'old');
    assert.deepEqual(temps(dir), []);
  });

  // Linux replaces a read-only file (the folder is writable) and keeps its mode; Wine does the same, while
  // Windows' MoveFileEx is documented to refuse a read-only target. Either way nothing may be lost.
  it('a read-only file (attribute): replaced keeping the attribute, or refused whole', {
    timeout: 30_000,
  }, async (t) => {
    const dir = folder();
    const file = path.join(dir, 'locked.txt');
    writeFileSync(file, 'old');
    chmodSync(file, 0o444); // sets FILE_ATTRIBUTE_READONLY
    assert.equal(statSync(file).mode & 0o222, 0);
    try {
      const outcome = await writeFileAtomic(file, 'new').then(
        () => 'replaced',
        (error: unknown) => {
          assert.ok(error instanceof AtomicWriteError, String(error));
          return 'refused';
        },
      );
      t.diagnostic(`a read-only target was ${outcome}`);
      assert.equal(readFileSync(file, 'utf8'), outcome === 'replaced' ? 'new' : 'old');
      assert.equal(statSync(file).mode & 0o222, 0, 'still read-only');
      assert.deepEqual(temps(dir), []);
    } finally {
      chmodSync(file, 0o666);
    }
  });
});
