// One demo process: read counter.json, add 1, write it back; with or without a locksmith lock.
import { readFileSync, writeFileSync } from 'node:fs';
import { lock } from 'locksmith';

const [mode, file, times] = process.argv.slice(2);

let tornReads = 0;

function read() {
  for (;;) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      // Without a lock we can read the file while another process has truncated it and not yet written.
      // Anything but a parse error (the folder is gone: the demo ended) ends this worker.
      if (!(error instanceof SyntaxError)) throw error;
      tornReads++;
    }
  }
}

function increment() {
  const data = read();
  data.count += 1;
  writeFileSync(file, JSON.stringify(data));
}

process.send('ready');
let finished = false;
// If the demo itself goes away, so do its workers.
process.on('disconnect', () => {
  if (!finished) process.exit(1);
});

process.once('message', async () => {
  for (let i = 0; i < Number(times); i++) {
    if (mode === 'locked') {
      const handle = await lock(file);
      try {
        increment();
      } finally {
        await handle.release();
      }
    } else {
      increment();
      // Yield like a real program would between updates.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  finished = true;
  process.send({ tornReads }, () => process.disconnect());
});
