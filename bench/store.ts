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

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

async function measure(name: string, durable: boolean | undefined, op: () => Promise<unknown>) {
  for (let i = 0; i < warmup; i++) await op();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await op();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    name,
    ...(durable === undefined ? {} : { durable }),
    n: iterations,
    p50: round(percentile(samples, 50)),
    p99: round(percentile(samples, 99)),
    mean: round(samples.reduce((a, b) => a + b, 0) / samples.length),
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
