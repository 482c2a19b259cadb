// One demo process: read counter.json, add 1, write it back; with or without a locksmith lock.
import { readFileSync, writeFileSync } from 'node:fs';
import { lock } from 'locksmith';

const [mode, file, times] = process.argv.slice(2);

let tornReads = 0;

function read() {
  for (;;) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // Without a lock we can read the file while another process has truncated it and not yet written.
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
  process.send({ tornReads }, () => process.disconnect());
});
