// Store latency (story 3 asks for an update "well under 10 ms"): prints JSON on stdout.
//   node --import tsx bench/store.ts [--quick]
// One process, no contention: `update` (lock, read, parse, change, validate, write atomically, unlock)
// with durable on and off, and for comparison its parts: `read`, and `writeFileAtomic` alone.
// The files live in bench/.work (the repository's filesystem), on a ~1 KB JSON config.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore, writeFileAtomic } from '../src/index.js';
import { measureLatency } from './lib/latency.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const iterations = values.quick ? 30 : 500;
const warmup = values.quick ? 5 : 50;

const work = path.join(path.dirname(fileURLToPath(import.meta.url)), '.work', `store-${process.pid}`);
mkdirSync(work, { recursive: true });

interface Config {
  count: number;
  feeds: { url: string; title: string }[];
}
const DEFAULTS: Config = {
  count: 0,
  feeds: Array.from({ length: 12 }, (_, i) => ({ url: `https://feed${i}.example/rss`, title: `Feed ${i}` })),
};

async function measure(name: string, durable: boolean | undefined, op: () => Promise<unknown>) {
  return {
    name,
    ...(durable === undefined ? {} : { durable }),
    ...(await measureLatency(iterations, warmup, op)),
  };
}

try {
  const results = [];
  for (const durable of [true, false]) {
    const store = openStore<Config>(path.join(work, `config-${durable}.json`), {
      defaults: DEFAULTS,
      durable,
    });
    results.push(
      await measure('update', durable, () =>
        store.update((draft) => {
          draft.count++;
        }),
      ),
    );
  }
  const reader = openStore<Config>(path.join(work, 'config-true.json'), { defaults: DEFAULTS });
  results.push(await measure('read', undefined, () => reader.read()));
  const text = `${JSON.stringify(DEFAULTS, null, 2)}\n`;
  for (const durable of [true, false]) {
    const file = path.join(work, `plain-${durable}.json`);
    results.push(await measure('writeFileAtomic', durable, () => writeFileAtomic(file, text, { durable })));
  }
  process.stdout.write(
    `${JSON.stringify({ unit: 'ms', fileBytes: Buffer.byteLength(text), iterations, results }, null, 2)}\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
