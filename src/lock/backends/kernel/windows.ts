import { LockIOError } from '../../../errors.js';
import type { LockMode } from '../backend.js';
import { loadKoffi } from './ffi.js';
import type { NativeAttempt, NativeLock } from './native-lock.js';
import { createHolderExitWatch } from './windows/holder-exit.js';
import { createProcessExitWatch } from './windows/process-exit.js';

const LOCKFILE_FAIL_IMMEDIATELY = 0x1;
const LOCKFILE_EXCLUSIVE_LOCK = 0x2;
const ERROR_LOCK_VIOLATION = 33;
const ERROR_IO_PENDING = 997;

/**
 * LockFileEx through koffi, on byte 0 of the lock file (the byte Python's filelock locks with
 * msvcrt.locking), so both exclude each other. Node's descriptors are libuv's: `uv_get_osfhandle`, which
 * node.exe exports, turns one into the Win32 HANDLE.
 *
 * Tested under Wine in CI (`npm run test:windows`, test/windows/), not on a real Windows machine (see the
 * README's Platforms). Waits sleep in the wait queue (kernel/wait/, queue folder in kernel/windows/), as
 * on Linux: an overlapped LockFileEx wait never completes under Wine 8 (ERROR_IO_PENDING, no completion
 * after the release, CancelIoEx finds nothing), so the kernel's own wait cannot be tested here. The
 * queue's head sleeps on its holder's process handle rather than polling (windows/holder-exit.ts), and each
 * waiter behind it on the process of the waiter before it (kernel/wait/predecessor.ts).
 */
export function createWindowsLock(): NativeLock {
  // One instance per process: koffi refuses a second declaration of the same named types.
  windowsLock ??= makeWindowsLock();
  return windowsLock;
}

let windowsLock: NativeLock | undefined;

function makeWindowsLock(): NativeLock {
  const koffi = loadKoffi();
  const kernel32 = koffi.load('kernel32.dll');
  const node = koffi.load(process.execPath);
  const OVERLAPPED = koffi.struct('locksmith_OVERLAPPED', {
    Internal: 'uintptr_t',
    InternalHigh: 'uintptr_t',
    Offset: 'uint32_t',
    OffsetHigh: 'uint32_t',
    hEvent: 'void *',
  });
  const getHandle = node.func('void * uv_get_osfhandle(int fd)') as (fd: number) => unknown;
  const lockFileEx = kernel32.func('__stdcall', 'LockFileEx', 'bool', [
    'void *',
    'uint32_t',
    'uint32_t',
    'uint32_t',
    'uint32_t',
    koffi.inout(koffi.pointer(OVERLAPPED)),
  ]) as (h: unknown, flags: number, reserved: number, low: number, high: number, o: object) => boolean;
  const unlockFileEx = kernel32.func('__stdcall', 'UnlockFileEx', 'bool', [
    'void *',
    'uint32_t',
    'uint32_t',
    'uint32_t',
    koffi.inout(koffi.pointer(OVERLAPPED)),
  ]) as (h: unknown, reserved: number, low: number, high: number, o: object) => boolean;
  const getLastError = kernel32.func('__stdcall', 'GetLastError', 'uint32_t', []) as () => number;
  const overlapped = () => ({ Internal: 0, InternalHigh: 0, Offset: 0, OffsetHigh: 0, hEvent: null });

  const recordOffset = 1;
  const watchProcessExit = createProcessExitWatch(koffi, kernel32);
  const watchHolderExit = createHolderExitWatch(watchProcessExit, recordOffset);

  return {
    recordOffset,
    watchHolderExit,
    watchProcessExit,
    tryLock(fd: number, mode: LockMode): NativeAttempt {
      const flags = LOCKFILE_FAIL_IMMEDIATELY | (mode === 'exclusive' ? LOCKFILE_EXCLUSIVE_LOCK : 0);
      if (lockFileEx(getHandle(fd), flags, 0, 1, 0, overlapped())) return 'held';
      const code = getLastError();
      if (code === ERROR_LOCK_VIOLATION || code === ERROR_IO_PENDING) return 'busy';
      const cause = Object.assign(new Error(`LockFileEx failed with Win32 error ${code}`), { errno: code });
      throw new LockIOError(`fd ${fd}`, 'lock', cause);
    },
    unlock(fd: number): void {
      unlockFileEx(getHandle(fd), 0, 1, 0, overlapped());
    },
  };
}
