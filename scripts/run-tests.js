#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (through tsx, since Node 20 cannot strip
// types), one file at a time per core, each test bounded by a timeout. Extra arguments are passed on
// (e.g. `npm test -- --test-name-pattern=lockAll`), and file paths narrow the run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    // test/windows/ runs under Wine (npm run test:windows), compiled, in one node.exe.
    if (full === path.join('test', 'windows')) continue;
    if (statSync(full).isDirectory()) out.push(...find(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const args = process.argv.slice(2);
// A folder narrows the run to the test files under it (`npm test -- test/lock/`), a file to itself.
const isFolder = (a) => !a.startsWith('-') && existsSync(a) && statSync(a).isDirectory();
const files = args.flatMap((a) => (a.endsWith('.ts') ? [a] : isFolder(a) ? find(path.normalize(a)) : []));
const flags = args.filter((a) => !a.endsWith('.ts') && !isFolder(a));
if (files.length === 0 && args.some(isFolder)) {
  console.error(`no test files under ${args.filter(isFolder).join(', ')}`);
  process.exit(1);
}
const selected = files.length > 0 ? files.sort() : [...find('test'), ...find('examples')].sort();
// Every test sets its own timeout; this one is the backstop for any that does not. Node 20 and 22 also
// apply it to each test file as a whole (24 and later do not), so it must exceed the longest file: at
// 120 s, test/lock/contract.test.ts (two suites of up to 240 s each) was cut short on Node 22 under load,
// and beside 8 busy loops on 2 cores (issue 20's load test) a file of child processes can take over 600 s.
const TEST_TIMEOUT_MS = 1_200_000;
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    '--test-reporter=spec',
    ...flags,
    ...selected,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
