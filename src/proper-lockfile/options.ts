import nodeFs from 'node:fs';
import { type RetryOptions, type RetrySchedule, retrySchedule } from './retry-schedule.js';

/**
 * The file system calls the drop-in makes (proper-lockfile's `fs` option). The drop-in calls the sync
 * forms, for the async API too: one attempt is a handful of metadata calls on a local folder.
 */
export interface LockfileFs {
  mkdirSync(path: string, options?: nodeFs.MakeDirectoryOptions | number): unknown;
  statSync(path: string): nodeFs.Stats;
  rmdirSync(path: string): void;
  utimesSync(path: string, atime: Date, mtime: Date): void;
  realpathSync(path: string): string;
}

/** Options of `lock` and `lockSync`, with proper-lockfile's names, defaults and limits. */
export interface LockOptions {
  /** ms without an update after which a lock counts as stale. Default 10 000, at least 2 000. */
  stale?: number;
  /** ms between updates of the lock folder's mtime. Default `stale / 2`; between 1 000 and `stale / 2`. */
  update?: number;
  /** Retries (a number, or the `retry` package's options). Default 0: fail at once with `ELOCKED`. */
  retries?: number | RetryOptions;
  /** Resolve symlinks with realpath (the file must then exist). Default true. */
  realpath?: boolean;
  /** The file system to use. Default node:fs. */
  fs?: LockfileFs;
  /** Called when the lock is lost while held. Default: throw the error (which ends the process). */
  onCompromised?: (error: Error) => void;
  /** The lock folder's path. Default `<file>.lock`. */
  lockfilePath?: string;
}

/** Options of `unlock` and `unlockSync`. */
export type UnlockOptions = Pick<LockOptions, 'realpath' | 'fs' | 'lockfilePath'>;
/** Options of `check` and `checkSync`. */
export type CheckOptions = Pick<LockOptions, 'stale' | 'realpath' | 'fs' | 'lockfilePath'>;

export interface ResolvedLockOptions {
  stale: number;
  update: number;
  retries: RetrySchedule;
  realpath: boolean;
  fs: LockfileFs;
  onCompromised: (error: Error) => void;
  lockfilePath: string | undefined;
}

const FS_METHODS = ['mkdirSync', 'statSync', 'rmdirSync', 'utimesSync', 'realpathSync'] as const;

/** A TypeError shaped like Node's own argument errors. */
function invalid(name: string, expected: string, value: unknown): TypeError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  const error = new TypeError(`The "${name}" option must be ${expected}. Received ${shown}`);
  return Object.assign(error, { code: 'ERR_INVALID_ARG_TYPE' });
}

function optionalNumber(name: string, value: unknown): void {
  if (value != null && (typeof value !== 'number' || Number.isNaN(value)))
    throw invalid(name, 'a number', value);
}

function defaultOnCompromised(error: Error): void {
  // proper-lockfile's default, kept: code that relies on a lost lock ending the process stays safe. The
  // error names the file and the cause (see errors.ts), so the crash says what happened.
  throw error;
}

/** The options every function shares: the file, `realpath`, `fs`, `lockfilePath`. */
export function checkCommon(file: unknown, options: UnlockOptions | undefined): void {
  if (typeof file !== 'string' || file === '') throw invalid('file', 'a non-empty string', file);
  if (options == null) return;
  if (typeof options !== 'object') throw invalid('options', 'an object', options);
  const fsx = options.fs as unknown;
  if (fsx != null) {
    const missing = FS_METHODS.filter((m) => typeof (fsx as Record<string, unknown>)[m] !== 'function');
    if (missing.length > 0)
      throw invalid('fs', `a file system with ${missing.join(', ')}`, 'an object without them');
  }
  if (options.lockfilePath != null && typeof options.lockfilePath !== 'string') {
    throw invalid('lockfilePath', 'a string', options.lockfilePath);
  }
}

/** proper-lockfile's `stale` rule: at least 2 000 ms (0, null and undefined give the default floor). */
export function staleOf(stale: number | undefined): number {
  optionalNumber('stale', stale);
  if (stale == null) return 10_000;
  return Math.max(stale || 0, 2_000);
}

/**
 * Defaults and limits exactly as proper-lockfile 4 applies them (`stale` ≥ 2 000; `update` clamped to
 * [1 000, stale / 2]; `retries` a number or the retry package's options), plus type checks it lacks.
 *
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for an option of the wrong type.
 * @throws {Error} `minTimeout is greater than maxTimeout` (the retry package's check).
 */
export function resolveLockOptions(file: unknown, options: LockOptions | undefined): ResolvedLockOptions {
  checkCommon(file, options);
  const given = options ?? {};
  const stale = staleOf(given.stale);
  optionalNumber('update', given.update);
  let update = given.update == null ? stale / 2 : given.update || 0;
  update = Math.max(Math.min(update, stale / 2), 1_000);
  const retries = given.retries || 0;
  if (typeof retries !== 'number' && (typeof retries !== 'object' || retries === null)) {
    throw invalid('retries', 'a number or a retry options object', retries);
  }
  if (given.onCompromised != null && typeof given.onCompromised !== 'function') {
    throw invalid('onCompromised', 'a function', given.onCompromised);
  }
  return {
    stale,
    update,
    retries: retrySchedule(typeof retries === 'number' ? { retries } : retries),
    realpath: given.realpath ?? true,
    fs: given.fs ?? nodeFs,
    onCompromised: given.onCompromised ?? defaultOnCompromised,
    lockfilePath: given.lockfilePath,
  };
}

/** Whether `retries` asks for any retry (the sync API refuses those, as proper-lockfile does). */
export function asksForRetries(options: LockOptions | undefined): boolean {
  const retries = options?.retries;
  if (typeof retries === 'number') return retries > 0;
  return typeof retries?.retries === 'number' && retries.retries > 0;
}
