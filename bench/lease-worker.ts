// A worker for bench/lease.ts. argv: <lib> <file> <mode> [times]
//   mode 'increment': say 'ready', wait for 'go', then `times` locked read-increment-write cycles of the
//   JSON counter in <file>
//   mode 'hold': take the lock, say 'locked', and keep it (the bench SIGKILLs us)
//   mode 'wait': say 'waiting', take the lock, report the time it got it
// lib: lease | kernel | proper-lockfile (configured as docs/ANCHORS.md says is fair: retries forever,
// factor 2, 100..1000 ms).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { lock } from '../src/index.js';

interface ProperLockfile {
  lock(file: string, options?: Record<string, unknown>): Promise<() => Promise<void>>;
}
const properLockfile = createRequire(import.meta.url)('proper-lockfile') as ProperLockfile;
const [lib, file, mode, times] = process.argv.slice(2) as [string, string, string, string | undefined];

async function acquire(): Promise<() => Promise<void>> {
  if (lib === 'proper-lockfile') {
    return properLockfile.lock(file, {
      realpath: false,
      retries: { forever: true, factor: 2, minTimeout: 100, maxTimeout: 1000 },
      onCompromised: () => {},
    });
  }
  const handle = await lock(file, { backend: lib as 'lease' | 'kernel' });
  return () => handle.release();
}

if (mode === 'increment') {
  process.send?.({ type: 'ready' });
  await new Promise((resolve) => process.once('message', resolve)); // 'go': all start together
  for (let i = 0; i < Number(times ?? 100); i++) {
    const release = await acquire();
    const data = JSON.parse(readFileSync(file, 'utf8')) as { count: number };
    writeFileSync(file, JSON.stringify({ count: data.count + 1 }));
    await release();
  }
  process.send?.({ type: 'done' });
} else if (mode === 'hold') {
  await acquire();
  process.send?.({ type: 'locked' });
  setInterval(() => {}, 60_000); // stay alive, holding, until SIGKILLed
} else {
  process.send?.({ type: 'waiting' });
  const release = await acquire();
  process.send?.({ type: 'acquired', at: Date.now() });
  await release();
}
