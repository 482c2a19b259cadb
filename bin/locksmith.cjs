#!/usr/bin/env node
// CommonJS, so that a plain `locksmith run [options] <path>... -- <command>` (what hooks and scripts run:
// paths and run's common options, see src/cli/plain-run.ts) starts without Node's ES module loader:
// dist/cli/plain-run.cjs is that command in one CommonJS file (scripts/bundle-cli-cjs.js). Every other
// command line loads the CLI's ES modules.
'use strict';
const { enableCompileCache } = require('node:module');

// Node 22.1+ keeps the compiled code of the modules on disk and reuses it on the next run (a CLI's start-up
// is mostly compiling); Node 20 has no compile cache, and the CLI runs as before.
enableCompileCache?.();
const argv = process.argv.slice(2);
// Only a command line that may be a plain `run` loads the bundle; it says whether it is one.
const plain =
  argv[0] === 'run' && argv.includes('--') ? require('../dist/cli/plain-run.cjs').runPlain(argv) : undefined;
const status = plain ?? import('../dist/cli/main.js').then(({ main }) => main(argv));
status.then((code) => {
  process.exitCode = code;
});
