// One demo process: read counter.json, add 1, write it back; with or without a locksmith lock.
import { readFileSync, writeFileSync } from 'node:fs';
import { lock } from 'locksmith';

const [mode, file, times] = process.argv.slice(2);

let tornReads = 0;
/** Unparseable this many times in a row: two writers interleaved and left garbage for good. */
const GIVE_UP = 1000;

/** The counter, or undefined when the file stays unparseable (only ever without a lock). */
async function read() {
  for (let attempt = 0; attempt < GIVE_UP; attempt++) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      // Without a lock we can read the file while another process has truncated it and not yet written.
      // Anything but a parse error (the folder is gone: the demo ended) ends this worker.
      if (!(error instanceof SyntaxError)) throw error;
      tornReads++;
      // Let the writer finish (and let a 'disconnect' from a demo that went away be noticed).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return undefined;
}

/** False when the counter file is corrupt for good. */
async function increment() {
  const data = await read();
  if (data === undefined) return false;
  data.count += 1;
  writeFileSync(file, JSON.stringify(data));
  return true;
}

process.send('ready');
let finished = false;
// If the demo itself goes away, so do its workers.
process.on('disconnect', () => {
  if (!finished) process.exit(1);
});

process.once('message', async () => {
  let corrupt = false;
  for (let i = 0; i < Number(times) && !corrupt; i++) {
    if (mode === 'locked') {
      const handle = await lock(file);
      try {
        corrupt = !(await increment());
      } finally {
        await handle.release();
      }
    } else {
      corrupt = !(await increment());
      // Yield like a real program would between updates.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  finished = true;
  process.send({ tornReads, corrupt }, () => process.disconnect());
});
