import type { BackendOption } from '../../src/index.js';

/**
 * The backends the contract suite runs against, each with a probe: a backend that cannot run here is
 * skipped with the reason, never by platform name.
 */
export interface BackendCase {
  name: string;
  option: BackendOption;
  /** `undefined` when usable here, else why not. */
  unavailable: () => Promise<string | undefined>;
  /** Whether it supports shared locks (else `shared: true` must fail with LOCK_UNSUPPORTED). */
  shared: boolean;
}

export const BACKENDS: BackendCase[] = [
  {
    name: 'kernel',
    option: 'kernel',
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
  },
  {
    name: 'lease',
    option: 'lease',
    unavailable: async () => undefined,
    shared: false,
  },
];
