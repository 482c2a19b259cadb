#!/usr/bin/env node
// The main job, shown on real processes: 8 processes increment one shared JSON counter 1 000 times in
// total, first without a lock (updates get lost), then with locksmith (none do).
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROCESSES = 8;
const TOTAL = 1000;
const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.js');

async function run(mode, file) {
  writeFileSync(file, JSON.stringify({ count: 0 }));
  const started = performance.now();
  const children = Array.from({ length: PROCESSES }, () =>
    fork(worker, [mode, file, String(TOTAL / PROCESSES)], { stdio: 'inherit' }),
  );
  const exits = children.map((c) => new Promise((resolve) => c.once('exit', resolve)));
  // Start them together, so that they really overlap.
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('message', resolve))));
  const reports = children.map((c) => new Promise((resolve) => c.once('message', resolve)));
  for (const child of children) child.send('go');
  const done = await Promise.all(reports);
  const tornReads = done.reduce((sum, r) => sum + r.tornReads, 0);
  const codes = await Promise.all(exits);
  if (codes.some((code) => code !== 0)) throw new Error(`a worker failed: exit codes ${codes.join(', ')}`);
  const text = readFileSync(file, 'utf8');
  let count;
  try {
    ({ count } = JSON.parse(text));
  } catch {
    // Two unlocked writers interleaved their writes: the file is garbage for good.
    count = undefined;
  }
  return { count, text, tornReads, ms: performance.now() - started };
}

const dir = mkdtempSync(path.join(tmpdir(), 'locksmith-demo-'));
try {
  const file = path.join(dir, 'counter.json');
  console.log(`${PROCESSES} processes each add 1 to ${file}, ${TOTAL} times in total.\n`);
  const unlocked = await run('unlocked', file);
  console.log(
    unlocked.count === undefined
      ? `without a lock:     counter.json left corrupt (${JSON.stringify(unlocked.text.slice(0, 40))}), ${unlocked.tornReads} torn reads`
      : `without a lock:     counter = ${String(unlocked.count).padStart(4)}  -> ${TOTAL - unlocked.count} updates lost, ${unlocked.tornReads} torn reads`,
  );
  const locked = await run('locked', file);
  console.log(
    `with locksmith:     counter = ${String(locked.count).padStart(4)}  -> ${TOTAL - locked.count} updates lost, ${locked.tornReads} torn reads` +
      ` (${Math.round(locked.ms)} ms; while held, the holder is recorded in ${path.basename(file)}.lock)`,
  );
  process.exitCode = locked.count === TOTAL ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
