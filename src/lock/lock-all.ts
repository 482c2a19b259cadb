import { LockInvalidArgumentError } from '../errors.js';
import { acquire, type LockHandle } from './lock.js';
import { checkOptions, type LockOptions, type ResolvedLock, resolveLock } from './options.js';

/** One entry of `lockAll`: a path, or a path / lock file with its own mode. */
export type LockTarget = string | { path?: string; lockfilePath?: string; shared?: boolean };

/** Several locks held together; released together. */
export interface LockGroup extends AsyncDisposable {
  /** The handles, in the canonical order they were taken (sorted by lock file path). */
  readonly handles: readonly LockHandle[];
  /** Aborts when any of the locks is lost. */
  readonly signal: AbortSignal;
  /** Release every lock (in reverse order). Safe to call more than once. */
  release(): Promise<void>;
}

function resolveTarget(target: unknown, options: LockOptions): ResolvedLock {
  if (typeof target === 'string') return resolveLock(target, options);
  if (typeof target !== 'object' || target === null) {
    throw new LockInvalidArgumentError('lockAll takes paths or { path?, lockfilePath?, shared? } objects');
  }
  const entry = target as Exclude<LockTarget, string>;
  const own: LockOptions = { ...options };
  if (entry.lockfilePath !== undefined) own.lockfilePath = entry.lockfilePath;
  if (entry.shared !== undefined) own.shared = entry.shared;
  const path = entry.path ?? entry.lockfilePath;
  if (path === undefined)
    throw new LockInvalidArgumentError('a lockAll entry needs a path or a lockfilePath');
  return resolveLock(path, own);
}

/**
 * The entries as an array. A string is iterable too, but `lockAll('abc')` meaning "lock a, b and c" is
 * never what was meant: refused, like anything else that is not a collection of entries.
 */
function checkTargets(targets: unknown): unknown[] {
  if (typeof targets === 'string') {
    throw new LockInvalidArgumentError(
      `lockAll takes a list of paths, not the string ${JSON.stringify(targets)}: write lockAll([${JSON.stringify(targets)}])`,
    );
  }
  if (
    targets === null ||
    typeof targets !== 'object' ||
    typeof (targets as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function'
  ) {
    throw new LockInvalidArgumentError(`lockAll takes a list (an iterable) of paths, not ${String(targets)}`);
  }
  return [...(targets as Iterable<unknown>)];
}

async function releaseAll(handles: readonly LockHandle[]): Promise<void> {
  const errors: unknown[] = [];
  for (const handle of [...handles].reverse()) {
    try {
      await handle.release();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'Several locks failed to release');
}

/**
 * Lock every path, all-or-nothing: locks are taken in one canonical order (sorted lock file paths), so two
 * callers locking `[a, b]` and `[b, a]` never deadlock; if any lock cannot be taken (timeout, abort, error)
 * the ones already taken are released before the call rejects. `timeout` bounds the whole call.
 * The same lock file named twice is locked once (exclusively if either entry asks for exclusive).
 *
 * @throws {LockTimeoutError} naming the busy lock file and its holder; nothing stays locked.
 * @throws {LockInvalidArgumentError} for a string (`lockAll('abc')`) or anything else that is not a list of
 *   entries, and for a bad entry or option; nothing is locked.
 * @throws the other errors of `lock`, and `signal.reason` on abort; nothing stays locked.
 * @example
 * await using group = await lockAll(['journal/today.md', 'journal/retro.md'], { timeout: 0 });
 */
export async function lockAll(targets: Iterable<LockTarget>, options: LockOptions = {}): Promise<LockGroup> {
  checkOptions(options);
  const byKey = new Map<string, ResolvedLock>();
  for (const target of checkTargets(targets)) {
    const request = resolveTarget(target, options);
    const previous = byKey.get(request.lockfilePath);
    if (!previous || (previous.mode === 'shared' && request.mode === 'exclusive')) {
      byKey.set(request.lockfilePath, request);
    }
  }
  const requests = [...byKey.values()].sort((a, b) =>
    a.lockfilePath < b.lockfilePath ? -1 : a.lockfilePath > b.lockfilePath ? 1 : 0,
  );
  // One deadline for the whole group: each lock gets what is left of it.
  const deadline = requests[0]?.deadline ?? 0;
  const handles: LockHandle[] = [];
  try {
    for (const request of requests) {
      handles.push((await acquire({ ...request, deadline }, 'throw'))!);
    }
  } catch (error) {
    await releaseAll(handles).catch(() => {});
    throw error;
  }
  return new Group(handles);
}

class Group implements LockGroup {
  readonly handles: readonly LockHandle[];
  #releasing: Promise<void> | undefined;
  #signal: AbortSignal | undefined;

  constructor(handles: LockHandle[]) {
    this.handles = handles;
  }

  get signal(): AbortSignal {
    this.#signal ??= AbortSignal.any(this.handles.map((h) => h.signal));
    return this.#signal;
  }

  release(): Promise<void> {
    this.#releasing ??= releaseAll(this.handles);
    return this.#releasing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
