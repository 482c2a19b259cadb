import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

/** A fresh folder for this test file, removed after it. */
export function tempDir(prefix = 'locksmith-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A function that makes a new empty folder per test case (`case-0`, `case-1`, ...) under `root`. */
export function caseFolders(root = tempDir()): () => string {
  let counter = 0;
  return () => {
    const dir = path.join(root, `case-${counter++}`);
    mkdirSync(dir);
    return dir;
  };
}
