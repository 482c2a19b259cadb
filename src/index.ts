export type {
  AuditEvent,
  AuditEventKind,
  BreakAuditEvent,
  CheckinAuditEvent,
  CheckoutAuditEvent,
  RevertedAuditEvent,
  UnreadableAuditLine,
} from './checkout/audit-log.js';
export { MAX_AUDIT_LINE_BYTES, REGISTRY_FOLDER } from './checkout/constants.js';
export {
  CheckoutAuditError,
  CheckoutConflictError,
  CheckoutFileNotFoundError,
  type CheckoutHolder,
  CheckoutInvalidArgumentError,
  CheckoutIOError,
  CheckoutModeError,
  CheckoutNotCheckedOutError,
  CheckoutNotHolderError,
  CheckoutPathEscapeError,
  CheckoutRegistryCorruptError,
  CheckoutRegistryMissingError,
} from './checkout/errors.js';
export { defaultOwner } from './checkout/inputs.js';
export { openCheckouts } from './checkout/registry-lazy.js';
export type {
  BreakOptions,
  CheckinOptions,
  CheckoutOptions,
  Checkouts,
  CheckoutsOptions,
  FileStatus,
  ListOptions,
  ProtectResult,
  ReleaseResult,
} from './checkout/types.js';
export {
  LOCKSMITH_ERROR_CODES,
  LockCompromisedError,
  LockDirectoryError,
  LockInvalidArgumentError,
  LockIOError,
  LocksmithError,
  type LocksmithErrorCode,
  LockTimeoutError,
  LockUnsupportedError,
} from './errors.js';
export {
  AtomicWriteError,
  AtomicWriteInvalidArgumentError,
  type FileKind,
  NotRegularFileError,
  UnsafeFileError,
} from './fs/errors.js';
export type { WriteFileAtomicOptions } from './fs/write-file-atomic.js';
export { writeFileAtomic } from './fs/write-file-atomic-lazy.js';
export type { HolderInfo, HolderRecord } from './holder.js';
export type { Backend, LockMode } from './lock/backends/backend.js';
export { leaseBackend } from './lock/backends/lease/lazy.js';
export type { LeaseOptions } from './lock/backends/lease/lease-backend.js';
export type { BackendOption } from './lock/backends/select.js';
export { inspect, type LockStatus } from './lock/inspect.js';
export { type LockHandle, lock, tryLock, withLock } from './lock/lock.js';
export { type LockGroup, type LockTarget, lockAll } from './lock/lock-all.js';
export type { LockOptions, WaitInfo } from './lock/options.js';
export { PostgresConnectionError, PostgresPoolerError, PostgresQueryError } from './postgres/errors.js';
export type { DeepReadonly } from './store/deep-freeze.js';
export {
  StoreInvalidArgumentError,
  StoreIOError,
  type StoreIssue,
  StoreNotFoundError,
  StoreParseError,
  StoreSchemaError,
  StoreSerializeError,
  StoreTooDeepError,
} from './store/errors.js';
export type { Store, StoreFormat, StoreOptions, UpdateOptions, Updater } from './store/store.js';
export { openStore, transact } from './store/store-lazy.js';
export type { Drafts, Snapshots } from './store/transact.js';
export { WebLocksRegistryError } from './web-locks/errors.js';
export { Lock, Lock as WebLock } from './web-locks/lock.js';
export {
  createLockManager,
  LockManager,
  type LockManagerOptions,
  locks,
  type WebLockClientInfo,
  type WebLockSnapshot,
} from './web-locks/lock-manager.js';
export type { WebLockInfo, WebLockMode, WebLockOptions } from './web-locks/options.js';
