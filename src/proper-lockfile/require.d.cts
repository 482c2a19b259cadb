// Types of `require('locksmith/proper-lockfile')` (copied to dist/proper-lockfile/index.d.cts by
// scripts/build-proper-lockfile-cjs.js): the module is the lock function, carrying every function, as
// proper-lockfile's is; the option types are the ESM build's.
import type * as api from './index.js' with { 'resolution-mode': 'import' };

declare const lockfile: typeof api.default;
declare namespace lockfile {
  export type LockOptions = api.LockOptions;
  export type UnlockOptions = api.UnlockOptions;
  export type CheckOptions = api.CheckOptions;
  export type RetryOptions = api.RetryOptions;
  export type LockfileFs = api.LockfileFs;
  export type ProperLockfileError = api.ProperLockfileError;
}
export = lockfile;
