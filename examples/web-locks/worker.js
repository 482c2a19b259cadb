// One participant of the Web Locks demo: requests locks when the demo says so, and holds each one until
// the demo says "release". Everything it does is printed, prefixed with its name.
import { createLockManager } from 'locksmith';

const [who, dir] = process.argv.slice(2);
const locks = createLockManager({ dir });
const releases = new Map();
const say = (text) => console.log(`${who}: ${text}`);

process.on('message', ({ type, name, options }) => {
  if (type === 'release') return releases.get(name)?.();
  locks
    .request(name, options ?? {}, async (lock) => {
      say(`holds ${lock.name} (${lock.mode})`);
      process.send({ type: 'holding', name });
      await new Promise((resolve) => releases.set(name, resolve));
      say(`my ${name} callback ends`);
    })
    .then(
      () => say(`released ${name}`),
      (error) => {
        say(`lost ${name}: ${error.name} (the callback goes on until it ends)`);
        process.send({ type: 'lost', name });
      },
    );
});
process.send({ type: 'ready' });
