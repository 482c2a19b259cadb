import { LockInvalidArgumentError, LockUnsupportedError } from '../../errors.js';
import type { Backend } from './backend.js';
import { KernelBackend } from './kernel.js';
import { createPosixLock } from './kernel-posix.js';
import { createWindowsLock } from './kernel-windows.js';

/** A backend by name, or a backend object (for backends that take configuration, such as a server's). */
export type BackendOption = 'auto' | 'kernel' | 'lease' | Backend;

const NAMES = ['auto', 'kernel', 'lease'] as const;

let kernel: KernelBackend | undefined;
let kernelError: unknown;

/** The kernel backend of this platform, loaded once. Throws `LOCK_UNSUPPORTED` when it cannot load. */
export function kernelBackend(): KernelBackend {
  if (kernel) return kernel;
  if (kernelError === undefined) {
    try {
      kernel = new KernelBackend(process.platform === 'win32' ? createWindowsLock() : createPosixLock());
      return kernel;
    } catch (error) {
      kernelError = error;
    }
  }
  throw new LockUnsupportedError(
    `The kernel lock backend cannot load on ${process.platform}-${process.arch}: ${String(kernelError)}`,
    { cause: kernelError },
  );
}

function fromEnvironment(): 'auto' | 'kernel' | 'lease' | undefined {
  const value = process.env.LOCKSMITH_BACKEND?.trim();
  if (!value) return undefined;
  if ((NAMES as readonly string[]).includes(value)) return value as 'auto' | 'kernel' | 'lease';
  throw new LockInvalidArgumentError(`LOCKSMITH_BACKEND must be one of ${NAMES.join(', ')}, not "${value}"`);
}

/**
 * The one place a backend is chosen. `LOCKSMITH_BACKEND` forces a backend for a whole program run when
 * the caller asked for `'auto'` (or nothing); an explicit name or backend object wins over it.
 */
export function selectBackend(option: BackendOption | undefined): Backend {
  if (typeof option === 'object') return option;
  const name = option === undefined || option === 'auto' ? (fromEnvironment() ?? 'auto') : option;
  switch (name) {
    case 'auto':
    case 'kernel':
      return kernelBackend();
    case 'lease':
      throw new LockUnsupportedError('The lease backend is not available yet (backend: "lease")');
    default:
      throw new LockInvalidArgumentError(`backend must be one of ${NAMES.join(', ')} or a backend object`);
  }
}
