// A one-shot process, as a CLI or a git hook is: start, import the library, lock TARGET (its lock file is
// TARGET.lock), hold it HOLD_MS while incrementing the JSON counter in TARGET, release, exit.
// node bench/oneshot.mjs SUBJECT TARGET HOLD_MS   (SUBJECT: locksmith, fs-ext, proper-lockfile)
// Prints one JSON line: { type: 'done', importMs, lockMs, waitMs, cpuMs } (lockMs: first lock + release
// when uncontended; waitMs: from asking to holding; cpuMs: the whole process's CPU, start-up included).
// Plain JavaScript, no build step: locksmith is imported from dist/ as an installed package would be.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [subject, target, holdArg] = process.argv.slice(2);
const hold = Number(holdArg ?? 0);
const bench = path.dirname(fileURLToPath(import.meta.url));
const fromBench = createRequire(path.join(bench, 'package.json'));

async function load() {
  switch (subject) {
    case 'locksmith': {
      const { lock } = await import('../dist/index.js');
      return async () => {
        const handle = await lock(target);
        return () => handle.release();
      };
    }
    case 'fs-ext': {
      const lib = fromBench('fs-ext');
      return () =>
        new Promise((resolve, reject) => {
          const fd = fs.openSync(`${target}.lock`, 'a');
          lib.flock(fd, 'ex', (error) => {
            if (error) reject(error);
            else
              resolve(() => {
                lib.flockSync(fd, 'un');
                fs.closeSync(fd);
              });
          });
        });
    }
    case 'proper-lockfile': {
      const lib = fromBench('proper-lockfile');
      const options = { retries: { forever: true, factor: 2, minTimeout: 100, maxTimeout: 1000 } };
      return () => lib.lock(target, options);
    }
    default:
      throw new Error(`no one-shot for ${subject}`);
  }
}

const began = performance.now();
const acquire = await load();
const imported = performance.now();
const release = await acquire();
const held = performance.now();
const { count } = JSON.parse(fs.readFileSync(target, 'utf8'));
fs.writeFileSync(target, JSON.stringify({ count: count + 1 }));
if (hold > 0) await new Promise((resolve) => setTimeout(resolve, hold));
const releasing = performance.now();
await release();
const released = performance.now();
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({
    type: 'done',
    importMs: imported - began,
    lockMs: held - imported + (released - releasing),
    waitMs: held - imported,
    cpuMs: (cpu.user + cpu.system) / 1000,
  })}\n`,
);
