import { LocksmithFileError } from '../errors.js';

// The error class of Web Locks, apart from the registry that throws it: users import it from the root
// without loading the registry.

/** A Web Locks registry file cannot be written (when a lock is granted) or read (by `query()`). */
export class WebLocksRegistryError extends LocksmithFileError {
  static override readonly code = 'WEB_LOCKS_REGISTRY';
  override readonly code = WebLocksRegistryError.code;
  override readonly name = 'WebLocksRegistryError';

  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(file, `Web Locks registry file ${file} ${problem}`, options);
  }
}
