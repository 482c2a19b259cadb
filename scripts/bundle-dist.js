#!/usr/bin/env node
// Bundle tsc's ES modules in dist/ into few files: one per public entry (the root, `./backend`, `./postgres`,
// `./proper-lockfile`, the CLI) plus shared chunks, split where the code imports lazily (the lease
// backend, the store's parsers and writer, a CLI command's module...). Node's ES module loader costs
// about a millisecond per file (resolve, read, compile, link), and the import of the root was ~60 files.
// Types stay tsc's (.d.ts beside each file); the .js files the bundle replaced are removed. Dependencies
// stay external (they are the consumer's node_modules).
//
// Grouping: esbuild puts a module in the chunk of the exact set of entries (public or lazy) that reach it,
// so the modules of the root's and the CLI's start-up were spread over ~18 chunks (each a file to load).
// To load few files at start-up, every entry and lazy module is made to reach, through an added
// side-effect import, one of three groups as a whole; each group then becomes one chunk:
//   core  what both `import('locksmith')` and the CLI's entry load (the lock core, errors, kernel backend)
//   root  the rest of what `import('locksmith')` loads (facades, error classes); never loaded by the CLI
//   cli   the rest of what dist/cli/main.js loads (its `run`, terminal output); loaded by no library code
// The modules and their laziness are unchanged: what loads at start-up is what loaded before, in 3 files.
// (bin/locksmith.cjs runs a plain `run` from a CommonJS bundle instead: scripts/bundle-cli-cjs.js.)
//
// node:fs through require(): `import fs from 'node:fs'` in an ES module has Node build the built-in's ES
// facade, which reads every export of node:fs, among them the lazy getters fs.ReadStream, fs.WriteStream...:
// they load node:stream and ~20 internal modules, ~2 ms of the import. The bundle takes node:fs from one
// small module (dist/node-fs.js, written here, bundled into the core group like our own modules) that
// require()s it: the same object, no facade. Sources keep their ordinary imports (tsx and tsc need no trick).
//   node scripts/bundle-dist.js [dist]
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
const ENTRIES = ['index.js', 'backend.js', 'postgres/index.js', 'proper-lockfile/index.js', 'cli/main.js'];
const ROOT = path.join(dist, 'index.js');
const CLI = path.join(dist, 'cli/main.js');

// The names sources import from node:fs ({ realpathSync }...): the module exports those (and a name
// missing there fails the build: esbuild reports no matching export).
const NODE_FS = path.join(dist, 'node-fs.js');
const named = new Set();
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
  const source = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
  for (const [, list] of source.matchAll(/^import\s+(?:\w+\s*,\s*)?\{([^}]*)\}\s*from\s*['"]node:fs['"]/gm)) {
    for (const name of list.split(',')) if (name.trim()) named.add(name.trim().split(/\s+as\s+/)[0]);
  }
}
writeFileSync(
  NODE_FS,
  [
    "import { createRequire } from 'node:module';",
    "const fs = createRequire(import.meta.url)('node:fs');",
    'export default fs;',
    named.size > 0 ? `export const { ${[...named].sort().join(', ')} } = fs;` : '',
  ].join('\n'),
);
const nodeFsByRequire = {
  name: 'node-fs-by-require',
  setup(b) {
    b.onResolve({ filter: /^(node:)?fs$/ }, (args) =>
      path.resolve(args.importer) === NODE_FS ? undefined : { path: NODE_FS },
    );
  },
};

const options = {
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
  plugins: [nodeFsByRequire],
};

// First pass (nothing written): the module graph, static and dynamic imports.
const graph = (await build({ ...options, write: false })).metafile.inputs;
const absolute = (file) => path.resolve(file);
const staticImports = new Map();
const lazyTargets = new Set();
for (const [file, input] of Object.entries(graph)) {
  const imports = input.imports.filter((i) => !i.external);
  staticImports.set(
    absolute(file),
    imports.filter((i) => i.kind === 'import-statement').map((i) => absolute(i.path)),
  );
  for (const i of imports) if (i.kind === 'dynamic-import') lazyTargets.add(absolute(i.path));
}

function closure(start) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of staticImports.get(file) ?? []) visit(next);
  };
  visit(start);
  return seen;
}

const ofRoot = closure(ROOT);
const ofCli = closure(CLI);
const core = [...ofRoot].filter((file) => ofCli.has(file));
const groups = {
  core,
  root: [...ofRoot].filter((file) => !ofCli.has(file) && file !== ROOT),
  cli: [...ofCli].filter((file) => !ofRoot.has(file) && file !== CLI),
};

/**
 * The groups an entry or lazy module gets an import of: each group it reaches some module of (so that each
 * group's modules are all reached by the same entries, and stay one chunk), and no other: an entry that
 * needs none of the lock core (`./backend`, types only) loads nothing more. A group's own module that is
 * also a lazy module (the lock core is one for the store) imports its group: a cycle of side-effect
 * imports, harmless since each module still comes after what it imports.
 */
function groupsFor(file) {
  const reached = closure(file);
  return Object.keys(groups).filter((name) => groups[name].some((member) => reached.has(member)));
}

const starts = new Set([...ENTRIES.map((entry) => path.join(dist, entry)), ...lazyTargets]);
const grouping = {
  name: 'start-up-groups',
  setup(b) {
    b.onResolve({ filter: /^start-up-group:/ }, (args) => ({ path: args.path, namespace: 'start-up-group' }));
    b.onLoad({ filter: /.*/, namespace: 'start-up-group' }, (args) => ({
      contents: groups[args.path.slice('start-up-group:'.length)]
        .map((file) => `import ${JSON.stringify(file)};`)
        .join('\n'),
      resolveDir: dist,
      loader: 'js',
    }));
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const file = absolute(args.path);
      if (!starts.has(file)) return undefined;
      const added = groupsFor(file).map((name) => `import "start-up-group:${name}";\n`);
      return { contents: added.join('') + readFileSync(file, 'utf8'), loader: 'js' };
    });
  },
};

const result = await build({ ...options, plugins: [nodeFsByRequire, grouping] });

const kept = new Set(Object.keys(result.metafile.outputs).map((file) => path.resolve(file)));
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  const file = path.join(entry.parentPath, entry.name);
  if (entry.isFile() && file.endsWith('.js') && !kept.has(file)) rmSync(file);
}
