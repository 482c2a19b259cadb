#!/usr/bin/env node
// `npm run bench [-- --quick]`: installs the anchors into bench/node_modules on first use (they are not
// dependencies of locksmith, and the native ones may fail to build: npm then skips them as optional, and
// the harness says so), then runs the harness (bench/main.ts) through tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bench = path.dirname(fileURLToPath(import.meta.url));
const manifest = path.join(bench, 'package.json');
const installed = path.join(bench, 'node_modules', '.package-lock.json');

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(manifest).mtimeMs) {
  console.log('Installing the libraries to compare with into bench/node_modules (first run only)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--prefix', bench, '--no-audit', '--no-fund', '--no-save'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    console.log('note: installing the anchors failed; the ones that did not install are skipped.');
  }
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', path.join(bench, 'main.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
