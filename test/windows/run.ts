// Runs the Windows suite (test/windows/*.test.js, compiled) in this one process, under Wine or on Windows:
// each Node start costs seconds under Wine, so files are not isolated in processes of their own. Prints
// Node's spec report, then a closing `windows: N passed, N failed, N skipped` line; exits 1 on any failure.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.test.js') && (only.length === 0 || only.some((o) => name.startsWith(o))))
  .sort()
  .map((name) => path.join(here, name));

let passed = 0;
let failed = 0;
let skipped = 0;
const started = performance.now();
// `isolation: 'none'` (Node 22.8+) is not in @types/node 20's RunOptions.
const stream = run({ files, isolation: 'none', timeout: 300_000 } as Parameters<typeof run>[0]);
stream.on('test:pass', (event) => {
  if (event.details.type === 'suite') return;
  if (event.skip || event.todo) skipped++;
  else passed++;
});
stream.on('test:fail', (event) => {
  if (
    event.details.type === 'suite' &&
    (event.details.error as { failureType?: string }).failureType === 'subtestsFailed'
  )
    return;
  failed++;
});
stream.compose(new spec() as unknown as NodeJS.ReadWriteStream).pipe(process.stdout);
stream.on('end', () => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  // After the reporter's last line (it writes through the same stdout).
  setImmediate(() => {
    process.stdout.write(
      `\n${process.version} ${process.platform}-${process.arch}, ${files.length} files, ${seconds} s\n`,
    );
    process.stdout.write(`windows: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
  });
});
