#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps the compiled code of the modules on disk and reuses it on the next run (a CLI's start-up
// is mostly compiling); Node 20 has no compile cache, and the CLI runs as before.
module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');

process.exitCode = await main(process.argv.slice(2));
