// Check-out registry latency: prints JSON on stdout.
//   node --import tsx bench/checkout.ts [--quick]
// One process, no contention, a folder of 200 files in bench/.work (the repository's filesystem):
// a checkout and a checkin (each: registry lock, audit line, atomic registry write), durable on and off,
// a refused checkout (lock, read, no write), and list() of the 200 files with 20 checked out.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openCheckouts } from '../src/index.js';
import { measureLatency } from './lib/latency.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const iterations = values.quick ? 30 : 300;
const warmup = values.quick ? 5 : 30;
const FILES = 200;

const work = path.join(path.dirname(fileURLToPath(import.meta.url)), '.work', `checkout-${process.pid}`);

async function measure(name: string, extra: Record<string, unknown>, op: (i: number) => Promise<unknown>) {
  return { name, ...extra, ...(await measureLatency(iterations, warmup, op)) };
}

try {
  const results = [];
  for (const durable of [true, false]) {
    const root = path.join(work, `designs-${durable}`);
    mkdirSync(root, { recursive: true });
    for (let i = 0; i < FILES; i++) writeFileSync(path.join(root, `part-${i}.mcam`), 'x'.repeat(1000));
    const registry = openCheckouts(root, { durable });
    await registry.checkout('part-0.mcam', { owner: 'holder', message: 'busy' });
    results.push(
      await measure('refused checkout (CHECKOUT_CONFLICT)', { durable }, () =>
        registry.checkout('part-0.mcam', { owner: 'other' }).catch((e: { code?: string }) => {
          if (e.code !== 'CHECKOUT_CONFLICT') throw e;
        }),
      ),
    );
    let n = 0;
    results.push(
      await measure('checkout+checkin', { durable }, async () => {
        const owner = `u${n++}`;
        await registry.checkout('part-1.mcam', { owner, message: 'bench' });
        await registry.checkin('part-1.mcam', { owner });
      }),
    );
    if (durable) {
      for (let i = 2; i < 22; i++) await registry.checkout(`part-${i}.mcam`, { owner: 'bench' });
      results.push(await measure('list', { files: FILES, checkedOut: 20 }, () => registry.list()));
    }
  }
  process.stdout.write(`${JSON.stringify({ unit: 'ms', iterations, results }, null, 2)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
