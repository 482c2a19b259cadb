export {
  LockCompromisedError,
  LockDirectoryError,
  LockInvalidArgumentError,
  LockIOError,
  LocksmithError,
  LockTimeoutError,
  LockUnsupportedError,
} from './errors.js';
export type { Backend, BackendGrant, BackendStatus, LockMode } from './lock/backends/backend.js';
export type { BackendOption } from './lock/backends/select.js';
export type { HolderInfo } from './lock/holder-info.js';
export { inspect, type LockStatus } from './lock/inspect.js';
export { type LockHandle, lock, tryLock, withLock } from './lock/lock.js';
export { type LockGroup, type LockTarget, lockAll } from './lock/lock-all.js';
export type { LockOptions, WaitInfo } from './lock/options.js';
export { PostgresConnectionError, PostgresPoolerError, PostgresQueryError } from './postgres/errors.js';
