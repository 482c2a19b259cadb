import type { CheckoutRegistry } from './registry.js';
import { type RegistrySettings, registrySettings } from './registry-options.js';
import type {
  BreakOptions,
  CheckinOptions,
  CheckoutOptions,
  Checkouts,
  CheckoutsOptions,
  FileStatus,
  ListOptions,
  ProtectResult,
  ReleaseResult,
} from './types.js';

// The check-out registry as the public root exports it: `openCheckouts` checks its arguments at once (the
// same errors), and the registry's code (audit log, changes, its store) loads on the first call, so that
// `import('locksmith')` does not pay for a registry it may never open.

let registryModule: Promise<typeof import('./registry.js')> | undefined;
const loadRegistry = () => {
  registryModule ??= import('./registry.js');
  return registryModule;
};

/** A registry whose implementation is loaded on its first call. Every call is async, so none changes. */
class LazyCheckouts implements Checkouts {
  readonly root: string;
  readonly registryPath: string;
  readonly auditLogPath: string;
  readonly #settings: RegistrySettings;
  #impl: CheckoutRegistry | undefined;

  constructor(settings: RegistrySettings) {
    this.#settings = settings;
    this.root = settings.root;
    this.registryPath = settings.registryPath;
    this.auditLogPath = settings.auditLogPath;
  }

  async #registry(): Promise<CheckoutRegistry> {
    if (this.#impl) return this.#impl;
    const { CheckoutRegistry } = await loadRegistry();
    this.#impl ??= new CheckoutRegistry(this.#settings);
    return this.#impl;
  }

  async checkout(file: string, options?: CheckoutOptions): Promise<FileStatus> {
    return (await this.#registry()).checkout(file, options);
  }

  async checkin(file: string, options?: CheckinOptions): Promise<ReleaseResult> {
    return (await this.#registry()).checkin(file, options);
  }

  async breakCheckout(file: string, options: BreakOptions): Promise<ReleaseResult> {
    return (await this.#registry()).breakCheckout(file, options);
  }

  async list(options?: ListOptions): Promise<FileStatus[]> {
    return (await this.#registry()).list(options);
  }

  async status(file: string): Promise<FileStatus> {
    return (await this.#registry()).status(file);
  }

  async history(): ReturnType<Checkouts['history']> {
    return (await this.#registry()).history();
  }

  async protectAvailable(options?: ListOptions): Promise<ProtectResult> {
    return (await this.#registry()).protectAvailable(options);
  }
}

/**
 * Open the check-out registry of the folder `root` (kept in `<root>/.locksmith/`): one person at a time
 * checks out a file, with a message; others are refused with the holder's name; only the holder checks
 * in; an administrator can break a check-out. Every change is a locked atomic update of
 * `.locksmith/checkouts.json` plus one line of `.locksmith/audit.jsonl`, from any number of processes at
 * once. Nothing is read until the first call. Machines sharing the folder over the network should pass a
 * server's `backend`, with the folder as its `root` (see the last example).
 *
 * @throws {CheckoutInvalidArgumentError} `CHECKOUT_INVALID_ARGUMENT` when `root` is not an existing folder,
 * or `timeout` is negative or NaN.
 * @example
 * const registry = openCheckouts('/srv/designs');
 * await registry.checkout('bracket.mcam', { message: 'moving the holes' });
 * // ... edit bracket.mcam ...
 * await registry.checkin('bracket.mcam');
 * for (const file of await registry.list({ extension: '.mcam' })) console.log(file.name, file.status, file.owner ?? '');
 * @example
 * try {
 *   await registry.checkout('bracket.mcam');
 * } catch (error) {
 *   if (error instanceof CheckoutConflictError) console.log(`held by ${error.holder.owner}: ${error.holder.message}`);
 * }
 * @example
 * import { postgresBackend } from 'locksmith/postgres';
 * // Mounted at /mnt/designs here, elsewhere on other machines: each passes its own path as root.
 * const backend = postgresBackend({ connectionString: process.env.DATABASE_URL!, root: '/mnt/designs' });
 * const shared = openCheckouts('/mnt/designs', { backend });
 */
export function openCheckouts(root: string, options: CheckoutsOptions = {}): Checkouts {
  return new LazyCheckouts(registrySettings(root, options));
}
