import fs from 'node:fs';
import path from 'node:path';
import { monotonicMs } from '../clock.js';
import { LockInvalidArgumentError } from '../errors.js';
import type { HolderInfo } from '../holder.js';
import type { Backend, LockMode } from './backends/backend.js';
import { type BackendOption, selectBackend } from './backends/select.js';
import { reservedWindowsName } from './windows-names.js';

/** Told once to `onWait` when a call has to wait. */
export interface WaitInfo {
  path: string;
  lockfilePath: string;
  /** The current holder, when known (it may be another tool that records nothing). */
  holder?: HolderInfo;
}

/** Options of `lock`, `tryLock`, `withLock`, `lockAll` and `inspect`. Every one is optional. */
export interface LockOptions {
  /** Milliseconds to wait before failing with `LOCK_TIMEOUT`. Default: wait until acquired. `0`: try once. */
  timeout?: number;
  /** Aborting it stops the wait; the call rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** A reader lock: any number of shared holders together, none while an exclusive one holds. Default false. */
  shared?: boolean;
  /**
   * The lock file to use instead of `path + '.lock'` (to interoperate with another tool's lock file); for a
   * backend of names (PostgreSQL), the name to lock instead of `path`.
   */
  lockfilePath?: string;
  /** Remove the lock file on release. Default false: lock files stay for reuse (and are cheap). */
  removeOnRelease?: boolean;
  /** `'auto'` (default), `'kernel'`, `'lease'`, or a backend object. `LOCKSMITH_BACKEND` overrides `'auto'`. */
  backend?: BackendOption;
  /** Called once when the call has to wait, with the current holder when known. */
  onWait?: (info: WaitInfo) => void;
}

/** Options after validation, with the defaults applied (the one place they are). */
export interface ResolvedLock {
  path: string;
  lockfilePath: string;
  mode: LockMode;
  /** Absolute time (monotonicMs()) after which waiting fails; Infinity to wait forever. */
  deadline: number;
  timeout: number;
  signal: AbortSignal | undefined;
  removeOnRelease: boolean;
  /** The lock file is `path` itself (flock(1) style): the caller's data, never written or removed. */
  dataFile: boolean;
  backend: Backend;
  onWait: ((info: WaitInfo) => void) | undefined;
}

function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new LockInvalidArgumentError(`${what} must be a non-empty string`);
  }
  if (value.includes('\0')) throw new LockInvalidArgumentError(`${what} must not contain a NUL byte`);
  return value;
}

/** Paths resolved against `resolvedIn` (the working folder then): locking the same path again skips it. */
const resolved = new Map<string, string>();
let resolvedIn = '';
const RESOLVED_MAX = 256;

function checkPath(value: unknown, what: string): string {
  const name = checkName(value, what);
  const cwd = process.cwd();
  if (cwd !== resolvedIn) {
    resolved.clear();
    resolvedIn = cwd;
  }
  let absolute = resolved.get(name);
  if (absolute === undefined) {
    absolute = path.resolve(name);
    const device = process.platform === 'win32' ? reservedWindowsName(absolute) : undefined;
    if (device !== undefined) {
      throw new LockInvalidArgumentError(
        `${what} ${absolute} names a Windows device (${device}), not a file`,
      );
    }
    if (resolved.size >= RESOLVED_MAX) resolved.clear();
    resolved.set(name, absolute);
  }
  return absolute;
}

/** Paths recently found not to be folders: locking the same file again skips the stat (the hot path). */
const notFolders = new Set<string>();
const NOT_FOLDERS_MAX = 256;

function isFolder(file: string): boolean {
  if (notFolders.has(file)) return false;
  let folder: boolean;
  try {
    folder = fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    folder = false; // ENOTDIR, EACCES...: not a folder; opening the lock file reports the real problem
  }
  if (!folder) {
    if (notFolders.size >= NOT_FOLDERS_MAX) notFolders.clear();
    notFolders.add(file);
  }
  return folder;
}

/**
 * Validate a timeout in milliseconds; `undefined` means forever. Any length is waited out, also past the
 * longest single timer (2^31-1 ms, ~24.8 days): the core's timers are chained (`longTimeout`).
 */
export function checkTimeout(timeout: unknown): number {
  if (timeout === undefined) return Number.POSITIVE_INFINITY;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
    throw new LockInvalidArgumentError(
      `timeout must be a number of milliseconds >= 0, not ${describe(timeout)}`,
    );
  }
  return timeout;
}

/** A value as an error message shows it: strings quoted, so `'5'` is not mistaken for `5`. */
function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function checkBoolean(value: unknown, what: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new LockInvalidArgumentError(`${what} must be true or false, not ${describe(value)}`);
}

/** The options object itself: absent, or an object (a string or number is a mistake, not "no options"). */
export function checkOptions(options: unknown, what = 'options'): LockOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new LockInvalidArgumentError(`${what} must be an object, not ${describe(options)}`);
  }
  return options as LockOptions;
}

export function resolveLock(target: string, raw: LockOptions = {}): ResolvedLock {
  const options = checkOptions(raw);
  // A backend object is used as given; a name is chosen by `selectBackend`, which for `'auto'` looks at
  // the lock file's filesystem, so it comes after the path.
  const given = typeof options.backend === 'object' ? options.backend : undefined;
  let resolvedPath: string;
  let lockfilePath: string;
  if (given?.keyFor) {
    // A backend of names (a server's locks): the name is its key, and the file system is not involved.
    resolvedPath = checkName(target, 'path');
    lockfilePath = given.keyFor(
      resolvedPath,
      options.lockfilePath === undefined ? undefined : checkName(options.lockfilePath, 'lockfilePath'),
    );
  } else {
    resolvedPath = checkPath(target, 'path');
    lockfilePath =
      options.lockfilePath === undefined
        ? `${resolvedPath}.lock`
        : checkPath(options.lockfilePath, 'lockfilePath');
    if (options.lockfilePath === undefined && isFolder(resolvedPath)) {
      throw new LockInvalidArgumentError(
        `path ${resolvedPath} is a folder; lock a file, or pass lockfilePath`,
      );
    }
  }
  const timeout = checkTimeout(options.timeout);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new LockInvalidArgumentError('signal must be an AbortSignal');
  }
  const shared = checkBoolean(options.shared, 'shared') ?? false;
  const removeOnRelease = checkBoolean(options.removeOnRelease, 'removeOnRelease') ?? false;
  if (options.onWait !== undefined && typeof options.onWait !== 'function') {
    throw new LockInvalidArgumentError(`onWait must be a function, not ${describe(options.onWait)}`);
  }
  // flock(1) style: the file locked is its own lock file. It is the caller's data, not a lock file of ours.
  const dataFile = !given?.keyFor && lockfilePath === resolvedPath;
  if (dataFile && removeOnRelease) {
    throw new LockInvalidArgumentError(
      `removeOnRelease would delete ${resolvedPath} itself: its lockfilePath is the file it locks`,
    );
  }
  return {
    path: resolvedPath,
    lockfilePath,
    mode: shared ? 'shared' : 'exclusive',
    deadline: timeout === Number.POSITIVE_INFINITY ? timeout : monotonicMs() + timeout,
    timeout,
    signal,
    removeOnRelease,
    dataFile,
    backend: given ?? selectBackend(options.backend, lockfilePath),
    onWait: options.onWait,
  };
}
