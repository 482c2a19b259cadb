// Nothing imports upward: cli → public API (src/index.ts and the subpath entry points) → checkout / store /
// web-locks / postgres / proper-lockfile → lock core → backends → fs and the leaf modules. A file may
// import its own layer or any layer below it, never one above; the test reads every import of src/, so
// a new upward edge fails here with the file and the import named.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const SRC = path.resolve('src');

/** The layer of a file of src/, lowest 0. */
export function layerOf(file: string): number {
  const rel = path.relative(SRC, file).split(path.sep).join('/');
  if (rel.startsWith('cli/')) return 5;
  if (rel === 'index.ts' || rel === 'backend.ts') return 4;
  if (/^(checkout|store|web-locks|postgres|proper-lockfile)\//.test(rel)) return 3;
  if (rel.startsWith('lock/backends/')) return 1;
  if (rel.startsWith('lock/')) return 2;
  if (rel.startsWith('fs/') || !rel.includes('/')) return 0;
  throw new Error(`no layer for src/${rel}: add its folder to test/layers.test.ts`);
}

const NAMES = ['leaf and fs', 'backends', 'lock core', 'features', 'public API', 'cli'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** The relative specifiers a file imports or re-exports, statically or with `import()`. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    found.push(match[1]!);
  }
  return found;
}

describe('layers', { timeout: 30_000 }, () => {
  it('no file of src/ imports a layer above its own', () => {
    const upward: string[] = [];
    for (const file of sources(SRC)) {
      for (const spec of importsOf(file)) {
        const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
        if (!target.startsWith(SRC + path.sep)) continue;
        const from = layerOf(file);
        const to = layerOf(target);
        if (to > from) {
          upward.push(`${path.relative(SRC, file)} (${NAMES[from]}) imports ${spec} (${NAMES[to]})`);
        }
      }
    }
    assert.deepEqual(upward, []);
  });

  it('the layer map places every kind of file, so the check above can fail', () => {
    assert.equal(layerOf(path.join(SRC, 'cli/main.ts')), 5);
    assert.equal(layerOf(path.join(SRC, 'lock/lock.ts')), 2);
    assert.equal(layerOf(path.join(SRC, 'lock/backends/kernel/kernel-backend.ts')), 1);
    assert.equal(layerOf(path.join(SRC, 'errors.ts')), 0);
    assert.ok(importsOf(path.join(SRC, 'index.ts')).length > 0, 'imports are found');
  });
});
