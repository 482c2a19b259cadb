import type { PreparedWrite } from '../fs/write-file-atomic.js';
import { lockAll } from '../lock/lock-all.js';
import type { DeepReadonly } from './deep-freeze.js';
import { deepFreeze } from './deep-freeze.js';
import { StoreInvalidArgumentError } from './errors.js';
import {
  type Loaded,
  type Planned,
  refuseNested,
  runInside,
  type Store,
  StoreImpl,
  type UpdateOptions,
} from './store.js';

/** Any store, whatever its value type. */
export type AnyStore = Pick<Store<unknown>, 'path' | 'format'>;
type ValueOf<S> = S extends Store<infer T> ? T : never;
/** The mutable drafts `transact` hands to its function, one per store, in order. */
export type Drafts<S extends readonly AnyStore[]> = { -readonly [K in keyof S]: ValueOf<S[K]> };
/** The frozen values `transact` returns, one per store, in order. */
export type Snapshots<S extends readonly AnyStore[]> = {
  -readonly [K in keyof S]: DeepReadonly<ValueOf<S[K]>>;
};

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
  if (!Array.isArray(stores) || stores.length === 0) {
    throw new StoreInvalidArgumentError('transact takes a non-empty array of stores');
  }
  if (typeof fn !== 'function') throw new StoreInvalidArgumentError('transact takes a function');
  const impls = stores.map((store) => {
    if (!(store instanceof StoreImpl))
      throw new StoreInvalidArgumentError('transact takes stores from openStore');
    return store as StoreImpl<unknown>;
  });
  const paths = new Set(impls.map((store) => store.path));
  if (paths.size !== impls.length) {
    throw new StoreInvalidArgumentError('transact was given the same file twice; use one store per file');
  }
  const lockfiles = impls.map((store) => store.lockKey);
  refuseNested(lockfiles);
  const first = impls[0]!;
  const group = await lockAll(
    impls.map((store) => store.lockTarget()),
    first.lockOptions(options),
  );
  try {
    const loaded: Loaded[] = [];
    for (const store of impls) loaded.push(await store.load());
    const drafts = loaded.map((l) => structuredClone(l.value));
    await runInside(lockfiles, () => fn(drafts as Drafts<S>));
    options.signal?.throwIfAborted();
    const plans: (Planned | undefined)[] = [];
    for (const [i, store] of impls.entries()) plans.push(await store.plan(drafts[i], loaded[i]!));

    const prepared: PreparedWrite[] = [];
    try {
      for (const [i, store] of impls.entries()) {
        const plan = plans[i];
        if (plan) prepared.push(await store.prepare(plan, options.signal));
      }
      // Reading the signal checks, there and then, that every lock file is still the one locked.
      if (group.signal.aborted) throw group.signal.reason;
    } catch (error) {
      await Promise.all(prepared.map((p) => p.discard()));
      throw error;
    }
    for (const [i, write] of prepared.entries()) {
      try {
        await write.commit();
      } catch (error) {
        await Promise.all(prepared.slice(i + 1).map((p) => p.discard()));
        throw error;
      }
    }
    return impls.map((_, i) => plans[i]?.value ?? deepFreeze(loaded[i]!.value)) as Snapshots<S>;
  } finally {
    await group.release();
  }
}
