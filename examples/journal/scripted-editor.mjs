// A stand-in for $EDITOR in the journal test: it adds a line to each file it opens, prints
// "editing FILE...", and exits when it reads "quit" (or end-of-file) on its standard input.
import { appendFileSync } from 'node:fs';
import readline from 'node:readline';

const files = process.argv.slice(2);
for (const file of files) appendFileSync(file, `edited by pid ${process.pid}\n`);
readline
  .createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === 'quit') process.exit(0);
  })
  .on('close', () => process.exit(0));
process.stdout.write(`editing ${files.join(' ')}\n`);
