// Type-checked by `npm run lint` (tsc): what a CommonJS TypeScript user of the drop-in writes. The path is
// the source's declaration for the CommonJS build (dist/proper-lockfile/index.d.cts once built).
import lockfile = require('../../src/proper-lockfile/require.cjs');

const options: lockfile.LockOptions = { stale: 5_000, retries: { retries: 3, minTimeout: 100 } };
async function typed(): Promise<boolean> {
  const release: () => Promise<void> = await lockfile('a.json', options);
  await release();
  const releaseSync: () => void = lockfile.lockSync('a.json');
  releaseSync();
  return lockfile.check('a.json');
}
// @ts-expect-error a wrong option type is a type error
const bad: lockfile.LockOptions = { stale: 'soon' };
void typed;
void bad;
