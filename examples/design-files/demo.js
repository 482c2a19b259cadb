#!/usr/bin/env node
// Story 2, end to end: a team shares a folder of *.mcam design files. Each step is one person at their
// own machine (a separate process); the only thing they share is the folder, with its registry in
// .locksmith/. Run: node examples/design-files/demo.js [folder]   (default: a fresh temp folder)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCheckouts } from 'locksmith';

const person = path.join(path.dirname(fileURLToPath(import.meta.url)), 'person.js');
const folder = process.argv[2] ?? mkdtempSync(path.join(tmpdir(), 'design-files-'));
for (const [file, size] of [
  ['bracket.mcam', 1200],
  ['housing.mcam', 5400],
  ['gear.mcam', 800],
]) {
  writeFileSync(path.join(folder, file), 'M'.repeat(size));
}
writeFileSync(path.join(folder, 'README.txt'), 'not a design file');

const registry = openCheckouts(folder);
// Turn read-only-until-checked-out on for the folder (the registry records it for everyone): every design
// file that nobody holds becomes read-only, writable only once checked out.
const { madeReadOnly } = await registry.protectAvailable({ extension: '.mcam' });

function step(who, ...args) {
  try {
    process.stdout.write(
      execFileSync(process.execPath, [person, folder, who, ...args], { encoding: 'utf8' }),
    );
  } catch (error) {
    if (error.status !== 1) throw error;
    process.stdout.write(error.stdout); // refused: the output says why
  }
}

function writable(file) {
  return (statSync(path.join(folder, file)).mode & 0o200) !== 0 ? 'writable' : 'read-only';
}

async function table() {
  const rows = (await registry.list({ extension: '.mcam' })).map((f) => [
    f.name,
    `${f.sizeBytes} B`,
    f.modifiedAt.toISOString().slice(11, 19),
    f.status,
    f.owner ?? '',
    f.checkedOutAt ? f.checkedOutAt.toISOString().slice(11, 19) : '',
    f.message ?? '',
  ]);
  rows.unshift(['file', 'size', 'modified', 'status', 'owner', 'since', 'message']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows)
    console.log(
      `  ${row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd()}`,
    );
}

console.log(`shared folder: ${folder} (read-only until checked out: ${madeReadOnly.join(', ')})\n`);
step('alice@cad-1', 'checkout', 'bracket.mcam', 'moving the mounting holes');
console.log(`bracket.mcam is now ${writable('bracket.mcam')} (alice holds it)`);
step('bob@cad-2', 'checkout', 'bracket.mcam', 'thicker walls');
step('bob@cad-2', 'checkout', 'housing.mcam', 'new lid');
step('bob@cad-2', 'checkin', 'bracket.mcam');
console.log('\nthe folder:');
await table();
console.log('');
step('bob@cad-2', 'checkin', 'housing.mcam');
console.log(`housing.mcam is ${writable('housing.mcam')} again`);
step('carol@admin', 'break', 'bracket.mcam', 'alice is on holiday until Monday');
console.log(`bracket.mcam is ${writable('bracket.mcam')} after the break`);
step('bob@cad-2', 'checkout', 'bracket.mcam', 'thicker walls');
console.log(`bracket.mcam is ${writable('bracket.mcam')} for bob`);

console.log('\naudit log (.locksmith/audit.jsonl):');
for (const e of (await registry.history()).events) {
  const who = e.event === 'break' ? `${e.by} broke ${e.owner}'s` : `${e.owner}`;
  const why = e.reason ? ` — reason: ${e.reason}` : e.message ? ` — "${e.message}"` : '';
  console.log(`  ${e.at.toISOString().slice(11, 19)}  ${e.event.padEnd(8)}  ${who} ${e.file}${why}`);
}
