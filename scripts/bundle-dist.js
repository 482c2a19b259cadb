#!/usr/bin/env node
// Bundle tsc's ES modules in dist/ into few files: one per public entry (the root, `./backend`, `./postgres`,
// `./proper-lockfile`, the CLI) plus shared chunks, split where the code imports lazily (the lease
// backend, the store's parsers and writer, a CLI command's module...). Node's ES module loader costs
// about a millisecond per file (resolve, read, compile, link), and the import of the root was ~60 files;
// bundled it is a handful, at the same laziness. Types stay tsc's (.d.ts beside each file); the .js files
// the bundle replaced are removed. Dependencies stay external (they are the consumer's node_modules).
//   node scripts/bundle-dist.js [dist]
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
const ENTRIES = ['index.js', 'backend.js', 'postgres/index.js', 'proper-lockfile/index.js', 'cli/main.js'];

const result = await build({
  entryPoints: ENTRIES.map((entry) => path.join(dist, entry)),
  outdir: dist,
  outbase: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  allowOverwrite: true,
  metafile: true,
  logLevel: 'warning',
});

const kept = new Set(Object.keys(result.metafile.outputs).map((file) => path.resolve(file)));
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  const file = path.join(entry.parentPath, entry.name);
  if (entry.isFile() && file.endsWith('.js') && !kept.has(file)) rmSync(file);
}
