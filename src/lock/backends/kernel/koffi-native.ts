import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Koffi } from './ffi.js';

/**
 * A shortcut past koffi's JavaScript loader: `require('koffi')` costs 11-17 ms (it reads node's ELF header
 * to tell glibc from musl, resolves a folder as a module, wraps deprecated functions with util.deprecate),
 * when loading its prebuilt native module, which is the very API koffi exports, costs ~2-3 ms. The
 * shortcut loads that module from the platform package koffi itself would load
 * (`@koromix/koffi-<platform>-<arch>/<platform>_<arch>/koffi.node`, or `musl_<arch>` on a musl Linux),
 * resolved from koffi's own folder, and takes it only when its version is the installed koffi's. Anything
 * else (no such package, a bundled app, Electron, another version, a dlopen error) returns `undefined`,
 * and the caller loads koffi the ordinary way. Being `require`d, the module is the one instance a later
 * `require('koffi')` in the same process gets too.
 */

/** Where koffi's native module should be, and the version it must report. */
export interface NativeKoffiPlace {
  /** A file inside the installed koffi package, to resolve its platform package from. */
  from: string;
  /** The module files to try in order, as `require` specifiers resolved from `from`. */
  modules: string[];
  /** The installed koffi's version. */
  version: string;
}

const require = createRequire(import.meta.url);

/** Where this platform's koffi native module should be; `undefined` when koffi is not found as a package. */
export function nativeKoffiPlace(): NativeKoffiPlace | undefined {
  // Electron loads native modules from outside its archive, which koffi's own loader knows how to find.
  if (process.versions.electron) return undefined;
  const found = koffiManifest();
  if (!found) return undefined;
  const { platform, arch } = process;
  const pkg = `@koromix/koffi-${platform}-${arch}`;
  const folders = platform === 'linux' ? [`linux_${arch}`, `musl_${arch}`] : [`${platform}_${arch}`];
  return {
    from: found.file,
    modules: folders.map((folder) => `${pkg}/${folder}/koffi.node`),
    version: found.version,
  };
}

/**
 * koffi's package.json, looked up in the folders `require('koffi')` would search. Not
 * `require.resolve('koffi')`: resolving through koffi's exports map costs ~2 ms, the lookup ~0.5 ms.
 * Real path, so that its platform package resolves from where koffi is (pnpm links koffi from its store).
 */
function koffiManifest(): { file: string; version: string } | undefined {
  for (const folder of require.resolve.paths('koffi') ?? []) {
    let file: string;
    let text: string;
    try {
      file = realpathSync(path.join(folder, 'koffi', 'package.json'));
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    try {
      const { name, version } = JSON.parse(text) as { name?: unknown; version?: unknown };
      return name === 'koffi' && typeof version === 'string' ? { file, version } : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** koffi's native module from `place`, when one loads and reports `place.version`; else `undefined`. */
export function loadNativeKoffi(place: NativeKoffiPlace | undefined): Koffi | undefined {
  if (!place) return undefined;
  let fromKoffi: NodeJS.Require;
  try {
    fromKoffi = createRequire(place.from);
  } catch {
    return undefined;
  }
  for (const specifier of place.modules) {
    let native: { version?: unknown } | undefined;
    try {
      native = fromKoffi(specifier) as { version?: unknown };
    } catch {
      continue; // not there, or not loadable here (the glibc build on musl): try the next
    }
    return native?.version === place.version ? (native as Koffi) : undefined;
  }
  return undefined;
}
