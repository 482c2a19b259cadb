import path from 'node:path';
import { LockInvalidArgumentError, LockUnsupportedError } from '../../errors.js';
import { aliasBackend } from './alias.js';
import type { Backend } from './backend.js';
import { chooseFor, type FilesystemProbe, probeFilesystem } from './filesystem.js';
import { KernelBackend } from './kernel/kernel-backend.js';
import { createPosixLock } from './kernel/posix.js';
import { createWindowsLock } from './kernel/windows.js';
import { defaultLazyLeaseBackend as defaultLeaseBackend } from './lease/lazy.js';

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

let probe: FilesystemProbe = probeFilesystem;
/** `'auto'` decisions by folder: mounts rarely change under a running program. */
const decisions = new Map<string, Backend>();
const MAX_DECISIONS = 1024;
/** One object per (backend, reason), so a lock file always meets the same in-process queue. */
const labelled = new Map<string, Backend>();

/** Replace the filesystem detection (tests simulate a network mount with it); no argument restores it. */
export function setFilesystemProbe(replacement?: FilesystemProbe): void {
  probe = replacement ?? probeFilesystem;
  decisions.clear();
}

/** `base` as seen through `'auto'`: the same backend, with why it was chosen. Forwards every member. */
function withReason(base: Backend, reason: string): Backend {
  const id = `${base.name}\0${reason}`;
  let backend = labelled.get(id);
  if (!backend) {
    backend = aliasBackend(base, { reason });
    labelled.set(id, backend);
  }
  return backend;
}

/**
 * The `'auto'` rule for a lock file: the kernel backend where it loads and the lock file's folder is on a
 * local filesystem (or an NFS mount that forwards flock to the server); the lease backend on network,
 * cluster and FUSE filesystems, where flock may be local to one client or faked, and where FFI cannot load.
 */
export function autoBackend(lockfilePath: string): Backend {
  const folder = path.dirname(path.resolve(lockfilePath));
  const known = decisions.get(folder);
  if (known) return known;
  const choice = chooseFor(probe(folder));
  let backend: Backend;
  if (choice.backend === 'lease') {
    backend = withReason(defaultLeaseBackend(), choice.reason);
  } else {
    try {
      backend = withReason(kernelBackend(), choice.reason);
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      backend = withReason(defaultLeaseBackend(), `the kernel backend cannot load (${cause})`);
    }
  }
  if (decisions.size >= MAX_DECISIONS) decisions.clear();
  decisions.set(folder, backend);
  return backend;
}

/**
 * The one place a backend is chosen. `LOCKSMITH_BACKEND` forces a backend for a whole program run when
 * the caller asked for `'auto'` (or nothing); an explicit name or backend object wins over it.
 * `'auto'` decides per lock file (see {@link autoBackend}); without `lockfilePath` it is the kernel backend.
 */
export function selectBackend(option: BackendOption | undefined, lockfilePath?: string): Backend {
  if (typeof option === 'object') return option;
  const name = option === undefined || option === 'auto' ? (fromEnvironment() ?? 'auto') : option;
  switch (name) {
    case 'auto':
      return lockfilePath === undefined ? kernelBackend() : autoBackend(lockfilePath);
    case 'kernel':
      return kernelBackend();
    case 'lease':
      return defaultLeaseBackend();
    default:
      throw new LockInvalidArgumentError(`backend must be one of ${NAMES.join(', ')} or a backend object`);
  }
}
