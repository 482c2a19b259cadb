#!/usr/bin/env node
// The CommonJS bundle of a plain `locksmith run <path>... -- <command>` (src/cli/plain-run.ts and what it
// imports: the lock core, the kernel backend, the lease backend inlined where it loads lazily), which
// bin/locksmith.cjs requires. A CLI whose entry is an ES module pays for Node's ES module loader (its
// set-up, then resolving, reading and linking each file): measured under load, the same `run -- true`
// took ~19 ms less CPU through this one CommonJS file than through dist/cli/main.js. koffi stays a
// dependency. Every other command line still loads the ES modules (dist/cli/main.js).
//   node scripts/bundle-cli-cjs.js [outfile=dist/cli/plain-run.cjs]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.resolve(process.argv[2] ?? path.join(root, 'dist', 'cli', 'plain-run.cjs'));

await build({
  entryPoints: [path.join(root, 'src', 'cli', 'plain-run.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile,
  packages: 'external',
  // ffi.ts finds koffi with createRequire(import.meta.url): give it this file's URL.
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
  logLevel: 'warning',
});
