import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, ROOT_DIR } from '../lib/paths.js';

/**
 * Figure 6, store update latency: bench/store.ts (written with the store) measures it and prints JSON.
 * Run when it exists, with `--quick` passed on; skipped with a note otherwise.
 */
export function runStoreBench(quick: boolean): { data?: unknown; note?: string } {
  const script = path.join(BENCH_DIR, 'store.ts');
  if (!existsSync(script)) return { note: 'bench/store.ts does not exist yet (the store has not landed)' };
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...(quick ? ['--quick'] : [])], {
    cwd: ROOT_DIR,
    encoding: 'utf8',
    timeout: 180_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) {
    return {
      note: `bench/store.ts failed (${result.status ?? result.signal}): ${result.error?.message ?? ''}`.trim(),
    };
  }
  try {
    return { data: JSON.parse(result.stdout) as unknown };
  } catch {
    return { note: 'bench/store.ts did not print JSON' };
  }
}
