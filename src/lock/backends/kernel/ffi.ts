import { createRequire } from 'node:module';
import type { LibraryHandle } from 'koffi';
import { loadNativeKoffi, type NativeKoffiPlace, nativeKoffiPlace } from './koffi-native.js';

/**
 * Loads the few native functions the kernel backends call, through koffi (prebuilt per platform, so no
 * compiler at install): its native module directly where it can be found (koffi-native.ts, a few ms
 * cheaper), else `require('koffi')`. Loading happens once, on first use; a failure is remembered and
 * reported by the backend selection as "kernel backend unavailable", never thrown at import time.
 */

const require = createRequire(import.meta.url);

export type Koffi = typeof import('koffi');

/** How koffi was loaded: its native module directly, or its package's loader. */
export type KoffiSource = 'native' | 'package';

let koffiModule: Koffi | undefined;
let koffiSource: KoffiSource | undefined;
let koffiError: unknown;

/** koffi, and how it was loaded; `place` says where its native module should be (`undefined`: not found). */
export function openKoffi(place: NativeKoffiPlace | undefined): {
  koffi: Koffi;
  source: KoffiSource;
} {
  const native = loadNativeKoffi(place);
  if (native) return { koffi: native, source: 'native' };
  return { koffi: require('koffi') as Koffi, source: 'package' };
}

export function loadKoffi(): Koffi {
  if (koffiModule) return koffiModule;
  if (koffiError) throw koffiError;
  try {
    ({ koffi: koffiModule, source: koffiSource } = openKoffi(nativeKoffiPlace()));
    return koffiModule;
  } catch (error) {
    koffiError = error;
    throw error;
  }
}

/** How this process loaded koffi, once it has (for tests and diagnostics). */
export function loadedKoffiSource(): KoffiSource | undefined {
  return koffiSource;
}

const LIBC_CANDIDATES: Record<string, string[]> = {
  linux: ['libc.so.6', 'libc.so'],
  darwin: ['/usr/lib/libSystem.B.dylib', 'libc.dylib'],
  freebsd: ['libc.so.7'],
  openbsd: ['libc.so'],
  android: ['libc.so'],
};

/** The names to try for this platform's C library, in order (before the process image itself). */
export function libcCandidates(): string[] {
  return LIBC_CANDIDATES[process.platform] ?? ['libc.so.6', 'libc.so'];
}

/** The C library of this process (glibc, musl, libSystem...). */
export function loadLibc(): LibraryHandle {
  const koffi = loadKoffi();
  const candidates = libcCandidates();
  let lastError: unknown;
  for (const name of candidates) {
    try {
      return koffi.load(name);
    } catch (error) {
      lastError = error;
    }
  }
  // musl names its libc after the architecture; as a last resort ask the already-loaded process image.
  try {
    return koffi.load(null);
  } catch {
    throw lastError;
  }
}
