// Holds the lock on argv[2] until told to release it (or its parent goes away).
import { lock } from 'locksmith';

const handle = await lock(process.argv[2], { timeout: 20_000 });
process.send('held');
process.on('message', async () => {
  await handle.release();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
