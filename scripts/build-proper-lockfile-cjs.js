#!/usr/bin/env node
// The CommonJS build of `locksmith/proper-lockfile` (its users are mostly CommonJS, and Node 20 cannot
// require() an ES module): one esbuild bundle of src/proper-lockfile (koffi stays a
// dependency), `module.exports` being the lock function that carries every function, as
// proper-lockfile's own module is, plus its declaration file. The ESM build (tsc's, then bundled by
// scripts/bundle-dist.js) is in the same folder.
//   node scripts/build-proper-lockfile-cjs.js [outdir=dist/proper-lockfile]
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'src', 'proper-lockfile');
const outdir = path.resolve(process.argv[2] ?? path.join(root, 'dist', 'proper-lockfile'));
mkdirSync(outdir, { recursive: true });

await build({
  stdin: { contents: "module.exports = require('./index.ts').default;", resolveDir: source, loader: 'js' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: path.join(outdir, 'index.cjs'),
  external: ['koffi'],
  // ffi.ts finds koffi with createRequire(import.meta.url): give it this file's URL.
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
  logLevel: 'warning',
});
copyFileSync(path.join(source, 'require.d.cts'), path.join(outdir, 'index.d.cts'));
