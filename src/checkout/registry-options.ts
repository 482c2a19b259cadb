import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BackendOption } from '../lock/backends/select.js';
import { checkTimeout } from '../lock/options.js';
import { REGISTRY_FOLDER } from './constants.js';
import { CheckoutInvalidArgumentError } from './errors.js';
import type { CheckoutsOptions } from './types.js';

// The checks `openCheckouts` makes at once, apart from the registry itself: the facade (registry-lazy.ts)
// makes them before the registry's code is loaded, and the registry is then built from what they settled.

/** Milliseconds a change waits for the registry's lock by default. */
const DEFAULT_TIMEOUT = 30_000;

/** What `openCheckouts` settled from its arguments. */
export interface RegistrySettings {
  /** The real path of the root folder. */
  root: string;
  registryPath: string;
  auditLogPath: string;
  readOnly: boolean | undefined;
  timeout: number;
  durable: boolean;
  backend: BackendOption | undefined;
}

/**
 * Check the arguments of `openCheckouts` and settle its folder and options.
 *
 * @throws {CheckoutInvalidArgumentError} `CHECKOUT_INVALID_ARGUMENT` as `openCheckouts` documents.
 */
export function registrySettings(root: string, options: CheckoutsOptions): RegistrySettings {
  if (typeof root !== 'string' || root.length === 0 || root.includes('\0')) {
    throw new CheckoutInvalidArgumentError('root must be a non-empty string without NUL bytes');
  }
  if (typeof options !== 'object' || options === null) {
    throw new CheckoutInvalidArgumentError('options must be an object');
  }
  let real: string;
  try {
    real = realpathSync(path.resolve(root));
  } catch (error) {
    throw new CheckoutInvalidArgumentError(`root ${root} does not exist`, { cause: error });
  }
  if (!statSync(real).isDirectory()) {
    throw new CheckoutInvalidArgumentError(`root ${root} is not a folder`);
  }
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  try {
    checkTimeout(timeout);
  } catch (error) {
    // The registry's own family, as `openStore` does: the caller asked the registry, not a lock.
    throw new CheckoutInvalidArgumentError((error as Error).message, { cause: error });
  }
  const folder = path.join(real, REGISTRY_FOLDER);
  return {
    root: real,
    registryPath: path.join(folder, 'checkouts.json'),
    auditLogPath: path.join(folder, 'audit.jsonl'),
    readOnly: options.readOnlyUntilCheckedOut,
    timeout,
    durable: options.durable ?? true,
    backend: options.backend,
  };
}
