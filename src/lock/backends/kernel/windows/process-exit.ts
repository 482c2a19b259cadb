import type { Koffi } from '../ffi.js';

/**
 * Sleeping until a process ends, on Windows: the kernel signals a process handle when its process ends,
 * killed or not. The wait queue uses it twice (issue 19): the queue's head sleeps on its lock holder's
 * process (holder-exit.ts), and each waiter behind it on the process of the waiter just before it
 * (kernel/wait/predecessor.ts), instead of polling for their deaths.
 *
 * - A pid is trusted only if the process behind it was created before a time the caller knows the process
 *   it means was alive (the holder record's `since`, a ticket's stamp): a pid reused by a later process is
 *   another process, and is not watched.
 * - The wait is `RegisterWaitForSingleObject` (a thread of the Windows thread pool sleeps in the kernel),
 *   with one callback for the whole process, registered once through koffi, which runs it on the
 *   JavaScript thread (koffi queues a call from a foreign thread to the event loop).
 * - Cancelling unregisters without waiting for a callback under way (`UnregisterWaitEx(wait, NULL)`):
 *   such a callback waits for the JavaScript thread, so a blocking unregister would deadlock. The
 *   process handle is closed a moment later, when the pool can no longer be waiting on it.
 */

const SYNCHRONIZE = 0x0010_0000;
const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
const INFINITE = 0xffff_ffff;
const WT_EXECUTEONLYONCE = 0x8;
/** FILETIME of the Unix epoch (100 ns intervals since 1601). */
const EPOCH_FILETIME = 116_444_736_000_000_000n;
/** How long a cancelled wait's process handle stays open, so the pool's wait never sees it closed. */
const CLOSE_AFTER_MS = 1_000;

/**
 * Call `onExit` once when process `pid` ends, if that process was created before `createdBeforeMs` (ms
 * since the epoch); returns what cancels the watch, or undefined when the process is not watched (gone,
 * created later, or the OS refused): the caller then checks for its death as it would without a watch.
 */
export type ProcessExitWatch = (
  pid: number,
  createdBeforeMs: number,
  onExit: () => void,
) => (() => void) | undefined;

export function createProcessExitWatch(koffi: Koffi, kernel32: ReturnType<Koffi['load']>): ProcessExitWatch {
  const openProcess = kernel32.func('__stdcall', 'OpenProcess', 'void *', [
    'uint32_t',
    'bool',
    'uint32_t',
  ]) as (access: number, inherit: boolean, pid: number) => unknown;
  const closeHandle = kernel32.func('__stdcall', 'CloseHandle', 'bool', ['void *']) as (
    h: unknown,
  ) => boolean;
  const getProcessTimes = kernel32.func('__stdcall', 'GetProcessTimes', 'bool', [
    'void *',
    koffi.out(koffi.pointer('uint64_t')),
    koffi.out(koffi.pointer('uint64_t')),
    koffi.out(koffi.pointer('uint64_t')),
    koffi.out(koffi.pointer('uint64_t')),
  ]) as (h: unknown, ...times: [number | bigint][]) => boolean;
  const callbackType = koffi.proto(
    'void __stdcall locksmith_WaitOrTimerCallback(uintptr_t context, uint8_t fired)',
  );
  const registerWait = kernel32.func('__stdcall', 'RegisterWaitForSingleObject', 'bool', [
    koffi.out(koffi.pointer('void *')),
    'void *',
    koffi.pointer(callbackType),
    'uintptr_t',
    'uint32_t',
    'uint32_t',
  ]) as (
    out: unknown[],
    h: unknown,
    callback: unknown,
    context: number,
    ms: number,
    flags: number,
  ) => boolean;
  const unregisterWait = kernel32.func('__stdcall', 'UnregisterWaitEx', 'bool', ['void *', 'void *']) as (
    wait: unknown,
    completion: null,
  ) => boolean;

  /** The waits under way, by the context number their callback gets. */
  const waits = new Map<number, () => void>();
  let nextId = 1;
  // Registered once and kept for the life of the process: a pool thread may call it until it is unregistered.
  const callback = koffi.register((context: number | bigint) => {
    waits.get(Number(context))?.();
  }, koffi.pointer(callbackType));

  /** The process `pid`'s handle if it was created before `createdBeforeMs`, else undefined. */
  const open = (pid: number, createdBeforeMs: number): unknown => {
    const handle = openProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, false, pid);
    if (!handle) return undefined;
    const created: [number | bigint] = [0];
    const ok = getProcessTimes(handle, created, [0], [0], [0]);
    const createdMs = Number((BigInt(created[0]) - EPOCH_FILETIME) / 10_000n);
    if (ok && createdMs < createdBeforeMs) return handle;
    closeHandle(handle);
    return undefined;
  };

  const watch: ProcessExitWatch = (pid, createdBeforeMs, onExit) => {
    if (pid === process.pid) return undefined; // never fires while we are alive to see it
    const handle = open(pid, createdBeforeMs);
    if (handle === undefined) return undefined;
    const id = nextId++;
    const out: unknown[] = [null];
    let wait: unknown;
    let closed = false;
    const close = (later: boolean) => {
      if (closed) return;
      closed = true;
      waits.delete(id);
      unregisterWait(wait, null);
      if (later) setTimeout(() => closeHandle(handle), CLOSE_AFTER_MS).unref();
      else closeHandle(handle);
    };
    waits.set(id, () => {
      close(false); // fired once (WT_EXECUTEONLYONCE): the pool no longer waits on the handle
      onExit();
    });
    if (!registerWait(out, handle, callback, id, INFINITE, WT_EXECUTEONLYONCE)) {
      waits.delete(id);
      closeHandle(handle);
      return undefined;
    }
    wait = out[0];
    return () => close(true);
  };
  // A failure here only means the caller checks for the death itself, as it would for a foreign process.
  return (pid, createdBeforeMs, onExit) => {
    try {
      return watch(pid, createdBeforeMs, onExit);
    } catch {
      return undefined;
    }
  };
}
