import type { DeepReadonly } from './deep-freeze.js';
import type { Store, StoreFormat, StoreImpl, StoreOptions, UpdateOptions, Updater } from './store.js';
import { type StoreSettings, storeSettings } from './store-settings.js';
import type { AnyStore, Drafts, Snapshots } from './transact.js';

// The store as the public root exports it: `openStore` checks its arguments at once (the same errors), and
// the store's code (its reader, writer, codecs' loaders) loads on the first read or update, so that
// `import('locksmith')` does not pay for a store it may never open.

let storeModule: Promise<typeof import('./store.js')> | undefined;
const loadStore = () => {
  storeModule ??= import('./store.js');
  return storeModule;
};

/** A store whose implementation is loaded on its first call; `transact` takes it as the store itself. */
export class LazyStore<T> implements Store<T> {
  readonly path: string;
  readonly format: StoreFormat;
  readonly #settings: StoreSettings;
  #impl: StoreImpl<T> | undefined;

  constructor(settings: StoreSettings) {
    this.#settings = settings;
    this.path = settings.path;
    this.format = settings.format;
  }

  /** The loaded store, made once from the settings checked at open. */
  async impl(): Promise<StoreImpl<T>> {
    if (this.#impl) return this.#impl;
    const { StoreImpl } = await loadStore();
    this.#impl ??= new StoreImpl<T>(this.#settings);
    return this.#impl;
  }

  async read(): Promise<DeepReadonly<T>> {
    return (await this.impl()).read();
  }

  async update(fn: Updater<T>, options?: UpdateOptions): Promise<DeepReadonly<T>> {
    return (await this.impl()).update(fn, options);
  }
}

/**
 * Open a JSON or YAML file as a typed store: `read()` a frozen snapshot, `update(fn)` under a cross-process
 * lock with an atomic write. Nothing is read until the first call. The format comes from the extension
 * unless `format` says. Values must be plain data (objects, arrays, strings, numbers, booleans, null).
 *
 * @throws {StoreInvalidArgumentError} `STORE_INVALID_ARGUMENT` for an empty path, an unknown format or
 *   extension, a schema that is not a Standard Schema validator.
 * @example
 * const settings = openStore('settings.json', { defaults: { theme: 'light', recent: [] as string[] } });
 * await settings.update((draft) => { draft.recent.push('today.md'); });
 * const { theme } = await settings.read();
 * @example
 * import { z } from 'zod';
 * const feeds = openStore('feeds.yaml', { schema: z.object({ feeds: z.array(z.string().url()) }), defaults: { feeds: [] } });
 */
export function openStore<T>(file: string, options: StoreOptions<T> = {}): Store<T> {
  return new LazyStore<T>(storeSettings(file, options));
}

/**
 * Update several stores together: their files are locked together (in a canonical order, so no two
 * callers deadlock), read, handed to `fn` as drafts to change in place, validated, and written only if
 * every one of them is valid. `fn` may be async — ask the user a question here, but keep slow work
 * outside: the files stay locked until it returns. Returns the new frozen values, in order.
 *
 * All-or-nothing: if `fn` throws, a value fails its schema, or a temp file cannot be written, no file is
 * changed. The renames that publish the new files happen last, one after another; a rename failing
 * between two of them (the folder became read-only in that instant) is the one case that can leave the
 * first file written and not the second: the error says which.
 *
 * @throws {StoreInvalidArgumentError} `STORE_INVALID_ARGUMENT` when a store is not from `openStore`, or two name the same file.
 * @throws the errors of `Store.update`, and `LOCK_TIMEOUT` naming the busy file: nothing stays locked.
 * @example
 * const [global, project] = await transact([globalStore, projectStore], async ([g, p]) => {
 *   p.image ??= await askUser('Which base image?', g.images);
 * });
 */
export async function transact<const S extends readonly AnyStore[]>(
  stores: S,
  fn: (drafts: Drafts<S>) => unknown,
  options: UpdateOptions = {},
): Promise<Snapshots<S>> {
  const [{ transact: run }, loaded] = await Promise.all([
    import('./transact.js'),
    // transact's own checks (an array, a function, stores from openStore) come first, in transact.ts.
    Array.isArray(stores)
      ? Promise.all(stores.map((store) => (store instanceof LazyStore ? store.impl() : store)))
      : stores,
  ]);
  return (await run(loaded as unknown as S, fn, options)) as Snapshots<S>;
}
