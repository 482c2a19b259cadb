import { adminClient, CONNECTION, SKIP as SKIP_POSTGRES } from '../postgres/server.js';
import type { BackendSpec } from './backend-from-spec.js';

/**
 * The backends the contract suite runs against, each with a probe: a backend that cannot run here is
 * skipped with the reason, never by platform name. Tests look at capabilities (`shared`, `lockFiles`),
 * never at the name.
 */
export interface BackendCase {
  name: string;
  /** Plain data (see backend-from-spec.ts): the test process and its children build the backend from it. */
  spec: BackendSpec;
  /** `undefined` when usable here, else why not. */
  unavailable: () => Promise<string | undefined>;
  /** Whether it supports shared locks (else `shared: true` must fail with LOCK_UNSUPPORTED). */
  shared: boolean;
  /**
   * Whether its locks are files: `lockfilePath` is a path (`path + '.lock'` by default) whose folder is
   * created, and `removeOnRelease` removes it. False for a backend of names (a server's locks), which
   * leaves the file system alone and shows the lock's key as `lockfilePath`.
   */
  lockFiles: boolean;
  /** The `lockfilePath` of a handle of `file` (locked with `lockfilePath`, when given). */
  lockfileOf: (file: string, lockfilePath?: string) => string;
  /** Called once after the suite: what the backend left behind (on a server) is removed. */
  cleanUp?: () => Promise<void>;
}

const lockFile = (file: string, lockfilePath?: string) => lockfilePath ?? `${file}.lock`;

/** A namespace per run, so that runs (and developers) sharing a server never meet. */
const NAMESPACE = `contract-${process.pid}-${Date.now().toString(36)}`;

export const BACKENDS: BackendCase[] = [
  {
    name: 'kernel',
    spec: 'kernel',
    unavailable: async () => {
      try {
        const { kernelBackend } = await import('../../src/lock/backends/select.js');
        kernelBackend();
        return undefined;
      } catch (error) {
        return String(error);
      }
    },
    shared: true,
    lockFiles: true,
    lockfileOf: lockFile,
  },
  {
    name: 'lease',
    spec: 'lease',
    unavailable: async () => undefined,
    shared: false,
    lockFiles: true,
    lockfileOf: lockFile,
  },
  {
    name: 'postgres',
    spec: { kind: 'postgres', connectionString: CONNECTION ?? '', namespace: NAMESPACE },
    unavailable: async () => SKIP_POSTGRES,
    shared: true,
    lockFiles: false,
    lockfileOf: (file, lockfilePath) => `postgres:${NAMESPACE}:${lockfilePath ?? file}`,
    cleanUp: async () => {
      const admin = await adminClient();
      try {
        // Fencing-token rows exist only once a lock was taken (the table too).
        await admin
          .query('delete from locksmith_fencing where key like $1', [`postgres:${NAMESPACE}:%`])
          .catch((error: { code?: string }) => {
            if (error.code !== '42P01') throw error; // undefined_table
          });
      } finally {
        await admin.end();
      }
    },
  },
];
