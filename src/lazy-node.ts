import { createRequire } from 'node:module';

// Node built-ins that cost milliseconds to load (node:crypto loads streams and WebCrypto: ~10 ms of CPU;
// node:worker_threads ~5 ms), loaded synchronously the first time one is needed instead of at import,
// so that `import('locksmith')` and a first lock do not pay for what only some calls use.

const require = createRequire(import.meta.url);
let crypto: typeof import('node:crypto') | undefined;
let workers: typeof import('node:worker_threads') | undefined;

/** node:crypto, loaded on first call. */
export function nodeCrypto(): typeof import('node:crypto') {
  crypto ??= require('node:crypto') as typeof import('node:crypto');
  return crypto;
}

/** This thread's id (0 on the main thread), loading node:worker_threads only when first asked. */
export function threadId(): number {
  workers ??= require('node:worker_threads') as typeof import('node:worker_threads');
  return workers.threadId;
}
