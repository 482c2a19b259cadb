import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { LockInvalidArgumentError } from '../../errors.js';
import type { LockMode } from './backend.js';
import { libcCandidates, loadKoffi, loadLibc } from './ffi.js';

/**
 * Waiting for a kernel lock in the kernel, on Linux: a blocking flock(2) on a dedicated worker thread.
 *
 * Polling from JavaScript wakes every waiting process on every change of the lock file, and those wake-ups
 * compete for the CPU with the holder; a crashed holder is only noticed at the next poll. A blocking flock
 * sleeps in the kernel, which hands the lock over the moment it is free, to a sleeping thread, at no cost
 * to anyone. It must not run on libuv's threadpool (four blocked calls starve every `fs` call of the
 * process), so it runs on a worker thread of ours, one per lock being waited for (at most `MAX_THREADS`).
 *
 * A blocked flock cannot be cancelled from JavaScript, and Node joins its worker threads when the process
 * exits, so a thread left blocked would hang the exit. The wait is therefore made interruptible: a
 * handler (a harmless libc function, `abs`) is installed without SA_RESTART for one real-time signal, and
 * `pthread_kill` on the waiting thread makes its flock return EINTR — on timeout, on abort, and from an
 * `exit` listener before Node joins the threads. The signal is only taken when nobody else handles it.
 *
 * A thread must not be stopped while it loads koffi either: koffi's module set-up aborts the whole process
 * (`FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw`) when its thread is terminated under it, as
 * Node terminates worker threads at exit. The same `exit` listener therefore waits for a thread that is
 * loading, and tells a thread that has not begun to load yet never to.
 */

/**
 * By default at most this many waits of one process sleep in the kernel at once (each thread costs about
 * 10 MB of memory); more fall back to polling. `LOCKSMITH_WAIT_THREADS` sets another cap, 0 turns it off.
 */
export const MAX_THREADS = 4;

/** The thread cap: `LOCKSMITH_WAIT_THREADS` (0–64) or `MAX_THREADS`. */
function threadCap(): number {
  const value = process.env.LOCKSMITH_WAIT_THREADS?.trim();
  if (!value) return MAX_THREADS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) {
    throw new LockInvalidArgumentError(
      `LOCKSMITH_WAIT_THREADS must be a whole number from 0 to 64, not "${value}"`,
    );
  }
  return n;
}
/** Every how many ms an interrupt is sent again until the thread answers (covers a signal sent just before it blocked). */
const RESEND_MS = 2;

const LOCK_SH = 1;
const LOCK_EX = 2;

/**
 * The phases a thread's shared state (index 0) goes through; index 1 is the cancel flag. A thread starts
 * NEW, goes LOADING (koffi) and then IDLE, and is BLOCKING while in flock. At exit, a thread still NEW is
 * made CLOSED, after which it never loads koffi.
 */
const IDLE = 0;
const BLOCKING = 1;
const NEW = 2;
const LOADING = 3;
const CLOSED = 4;
const PHASES = ['idle', 'blocking', 'new', 'loading', 'closed'] as const;
/** How long the exit listener waits for a thread to finish loading koffi (it takes 5–50 ms). */
const LOADING_GRACE_MS = 5_000;

export type KernelWaitResult = 'held' | 'timeout' | 'aborted' | 'failed';

// Every koffi call happens outside IDLE (LOADING or BLOCKING), so that the exit listener can wait it out.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const state = new Int32Array(workerData.state);
if (Atomics.compareExchange(state, 0, ${NEW}, ${LOADING}) === ${NEW}) {
  try {
    const koffi = require(workerData.koffi);
    let libc;
    for (const name of workerData.libc) { try { libc = koffi.load(name); break; } catch {} }
    libc ??= koffi.load(null); // as loadLibc does: musl names its libc after the architecture
    const flock = libc.func('int flock(int fd, int operation)');
    const tid = libc.func('unsigned long pthread_self(void)')();
    parentPort.on('message', ({ fd, op }) => {
      Atomics.store(state, 0, ${BLOCKING});
      let result = -1;
      let errno = 0;
      if (Atomics.load(state, 1) === 0) {
        result = flock(fd, op);
        if (result !== 0) errno = koffi.errno();
      }
      Atomics.store(state, 0, ${IDLE});
      Atomics.notify(state, 0);
      parentPort.postMessage({ result, errno });
    });
    parentPort.postMessage({ tid });
  } finally {
    Atomics.store(state, 0, ${IDLE});
    Atomics.notify(state, 0);
  }
}
`;

interface Native {
  pthreadKill(tid: number | bigint, signal: number): number;
  signal: number;
}

interface Thread {
  readonly worker: Worker;
  readonly state: Int32Array;
  tid: number | bigint | undefined;
  /** Set while a wait runs on this thread. */
  answer: ((reply: { result: number; errno: number }) => void) | undefined;
  dead: boolean;
}

let native: Native | undefined | null;
/** A thread died before it was ready (its libc would not load, say): no more are started. */
let broken = false;

/** Install the interrupt signal's handler once; null when this platform or process cannot have it. */
function setUp(): Native | null {
  if (broken) return null;
  if (native !== undefined) return native;
  native = null;
  if (process.platform !== 'linux' || !(process.arch === 'x64' || process.arch === 'arm64')) return null;
  try {
    const koffi = loadKoffi();
    const libc = loadLibc();
    const sigrtmax = libc.func('int __libc_current_sigrtmax(void)') as () => number;
    const dlsym = libc.func('void *dlsym(void *handle, const char *name)') as (
      handle: null,
      name: string,
    ) => unknown;
    // glibc's and musl's struct sigaction on x86-64 and arm64: handler, 1024-bit mask, flags, restorer.
    koffi.struct('locksmith_sigaction', {
      handler: 'void *',
      mask: koffi.array('uint64', 16),
      flags: 'int',
      restorer: 'void *',
    });
    const sigaction = libc.func(
      'int sigaction(int, const locksmith_sigaction *act, _Out_ locksmith_sigaction *old)',
    ) as (signal: number, act: object | null, old: { handler?: unknown }) => number;
    const pthreadKill = libc.func('int pthread_kill(unsigned long thread, int sig)') as Native['pthreadKill'];
    const handler = dlsym(null, 'abs');
    if (!handler) return null;
    const signal = sigrtmax() - 3;
    const current: { handler?: unknown } = {};
    if (sigaction(signal, null, current) !== 0) return null;
    if (!current.handler) {
      const act = { handler, mask: new Array(16).fill(0), flags: 0, restorer: null };
      if (sigaction(signal, act, {}) !== 0) return null;
    } else if (koffi.address(current.handler) !== koffi.address(handler)) {
      return null; // someone else uses the signal (a copy of locksmith in another thread installs the same)
    }
    native = { pthreadKill, signal };
  } catch {
    native = null;
  }
  return native;
}

const threads: Thread[] = [];
let exitHookInstalled = false;

function interrupt(thread: Thread, n: Native): void {
  Atomics.store(thread.state, 1, 1);
  if (thread.tid !== undefined && !thread.dead) n.pthreadKill(thread.tid, n.signal);
}

/**
 * Before Node terminates the threads at exit: keep a thread that has not begun to load koffi from ever
 * loading it, wait for one that is loading, interrupt every blocked one and wait (briefly) until it is not.
 */
function interruptAllAtExit(): void {
  const n = native;
  for (const thread of threads) {
    if (thread.dead) continue;
    Atomics.compareExchange(thread.state, 0, NEW, CLOSED);
    const deadline = performance.now() + LOADING_GRACE_MS;
    while (Atomics.load(thread.state, 0) === LOADING && performance.now() < deadline) {
      Atomics.wait(thread.state, 0, LOADING, 50);
    }
    if (!n || thread.tid === undefined) continue;
    for (let i = 0; i < 500 && Atomics.load(thread.state, 0) === BLOCKING; i++) {
      interrupt(thread, n);
      Atomics.wait(thread.state, 0, BLOCKING, 1);
    }
    // Mark it cancelled even when idle, so that a wait posted but not started does not block.
    Atomics.store(thread.state, 1, 1);
  }
}

function startThread(): void {
  const require = createRequire(import.meta.url);
  const state = new Int32Array(new SharedArrayBuffer(8));
  state[0] = NEW;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { koffi: require.resolve('koffi'), libc: libcCandidates(), state: state.buffer },
    // Small heap: the thread runs a dozen lines.
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
    stdout: false,
    stderr: false,
  });
  const thread: Thread = { worker, state, tid: undefined, answer: undefined, dead: false };
  worker.on('message', (message: { tid?: number | bigint; result?: number; errno?: number }) => {
    if (message.tid !== undefined) {
      thread.tid = message.tid;
      return;
    }
    const answer = thread.answer;
    thread.answer = undefined;
    answer?.({ result: message.result ?? -1, errno: message.errno ?? 0 });
  });
  const die = () => {
    // A thread that dies before it is ready would die again: stop starting them, and poll instead.
    if (thread.tid === undefined) broken = true;
    thread.dead = true;
    const answer = thread.answer;
    thread.answer = undefined;
    answer?.({ result: -1, errno: -1 });
  };
  worker.on('error', die);
  worker.on('exit', die);
  // After the listeners: adding a 'message' listener refs the worker's port again. A waiting call keeps
  // the process alive through its own timer, not through this thread.
  worker.unref();
  threads.push(thread);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', interruptAllAtExit);
  }
}

/** A free thread that is ready, starting one in the background when none is and the cap allows. */
function freeThread(): Thread | undefined {
  let starting = false;
  for (const thread of threads) {
    if (thread.dead || thread.answer) continue;
    if (thread.tid === undefined) starting = true;
    else return thread;
  }
  if (!starting && threads.filter((t) => !t.dead).length < threadCap()) startThread();
  return undefined;
}

/** The phase of each live wait thread of this process (for tests and diagnostics). */
export function waitThreadPhases(): (typeof PHASES)[number][] {
  return threads.filter((t) => !t.dead).map((t) => PHASES[Atomics.load(t.state, 0)] ?? 'idle');
}

/** Whether waits can sleep in the kernel here (Linux on x64/arm64 with the interrupt signal free). */
export function kernelWaitsAvailable(): boolean {
  return threadCap() > 0 && setUp() !== null;
}

/**
 * Start a thread in the background if none is free, for a wait that will sleep in the kernel soon: a call
 * retries for a while first (`QUEUE_AFTER`), and a thread takes 20–170 ms to start on a loaded machine.
 */
export function prepareKernelWait(): void {
  if (setUp()) freeThread();
}

/**
 * Block in flock(2) on `fd` on a worker thread until the lock is granted (`'held'`), `ms` pass, or `signal`
 * aborts. Returns undefined at once when no thread is free yet (the caller polls instead; a thread is
 * being started for next time). `'held'` can come after an abort that raced with the grant: the caller
 * then holds the lock and must give it back.
 */
export function waitInKernel(
  fd: number,
  mode: LockMode,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<KernelWaitResult> | undefined {
  const n = setUp();
  if (!n) return undefined;
  const thread = freeThread();
  if (!thread) return undefined;
  // An abort listener added now would never run: no sleep at all.
  if (signal?.aborted) return Promise.resolve('aborted');
  return new Promise<KernelWaitResult>((resolve) => {
    let why: KernelWaitResult = 'failed';
    let resend: NodeJS.Timeout | undefined;
    const stop = (reason: KernelWaitResult) => {
      if (resend) return;
      why = reason;
      interrupt(thread, n);
      resend = setInterval(() => interrupt(thread, n), RESEND_MS);
    };
    const timer = setTimeout(() => stop('timeout'), ms);
    const onAbort = () => stop('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    thread.answer = ({ result }) => {
      clearTimeout(timer);
      clearInterval(resend);
      signal?.removeEventListener('abort', onAbort);
      resolve(result === 0 ? 'held' : why);
    };
    Atomics.store(thread.state, 1, 0);
    thread.worker.postMessage({ fd, op: mode === 'shared' ? LOCK_SH : LOCK_EX });
  });
}
