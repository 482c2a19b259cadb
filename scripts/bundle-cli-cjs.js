#!/usr/bin/env node
// The CommonJS bundle of a plain `locksmith run <path>... -- <command>` (src/cli/plain-run.ts and what it
// imports: the lock core, the kernel backend, the lease backend inlined where it loads lazily), which
// bin/locksmith.cjs requires. A CLI whose entry is an ES module pays for Node's ES module loader (its
// set-up, then resolving, reading and linking each file): measured under load, the same `run -- true`
// took ~19 ms less CPU through this one CommonJS file than through dist/cli/main.js. koffi stays a
// dependency. Every other command line still loads the ES modules (dist/cli/main.js).
//
// Built-ins are required once each: esbuild turns every `import fs from 'node:fs'` into
// `__toESM(require('node:fs'))`, a fresh copy of all the built-in's properties (36 of them in this bundle,
// ~1.5 ms of a `run`'s start-up). Each built-in comes instead from one small ES module that requires it
// and exports it (default and named), and the importers use those exports directly.
//   node scripts/bundle-cli-cjs.js [outfile=dist/cli/plain-run.cjs]
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.resolve(process.argv[2] ?? path.join(root, 'dist', 'cli', 'plain-run.cjs'));

const require = createRequire(import.meta.url);

/** The names a module exporting built-in `name` can declare: its value properties, as identifiers. */
function exportable(name) {
  const descriptors = Object.getOwnPropertyDescriptors(require(name));
  return Object.keys(descriptors).filter((key) => {
    if (!('value' in descriptors[key]) || key === 'default' || !/^[A-Za-z_$][\w$]*$/.test(key)) return false;
    try {
      new Function(`const { ${key} } = {};`); // not a reserved word
      return true;
    } catch {
      return false;
    }
  });
}

const builtinsOnce = {
  name: 'builtins-required-once',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.namespace === 'builtin' ? undefined : { path: args.path, namespace: 'builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: [
        `const builtin = require(${JSON.stringify(args.path)});`,
        'export default builtin;',
        `export const { ${exportable(args.path).join(', ')} } = builtin;`,
      ].join('\n'),
      loader: 'js',
    }));
  },
};

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
  plugins: [builtinsOnce],
});
