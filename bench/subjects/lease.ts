import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { lock, tryLock } from '../../src/index.js';
import { WORK_DIR } from '../lib/paths.js';
import type { NodeSubject } from './subject.js';

/** locksmith's lease backend (for file systems without working kernel locks), when this build has it. */
export const lease: NodeSubject = {
  kind: 'node',
  id: 'lease',
  label: 'locksmith (lease)',
  mechanism: "locksmith's lease backend",
  version: () => undefined,
  async probe() {
    const dir = mkdtempSync(path.join(WORK_DIR, 'probe-'));
    try {
      const handle = await tryLock(path.join(dir, 'probe'), { backend: 'lease' });
      if (!handle) return 'the lease backend reported a fresh lock as busy';
      await handle.release();
      return undefined;
    } catch (error) {
      return `backend "lease" is not available in this build: ${(error as Error).message}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  open(target) {
    return {
      async acquire() {
        const handle = await lock(target, { backend: 'lease' });
        return () => handle.release();
      },
    };
  },
};
