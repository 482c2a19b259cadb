// The shortcut past koffi's JavaScript loader: it finds koffi's prebuilt native module in the platform
// package koffi itself would load, and takes it only when it loads and reports the installed koffi's version.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadNativeKoffi, nativeKoffiPlace } from '../../../../src/lock/backends/kernel/koffi-native.js';
import { tempDir } from '../../../helpers/tmp.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const MODULES = path.join(ROOT, 'node_modules');
const KOFFI_VERSION = (
  JSON.parse(readFileSync(path.join(MODULES, 'koffi', 'package.json'), 'utf8')) as { version: string }
).version;
// Checked apart from the code under test, so that a shortcut that stops finding the package fails here.
const platformPackage = path.join(MODULES, '@koromix', `koffi-${process.platform}-${process.arch}`);
const skip = existsSync(platformPackage)
  ? undefined
  : `koffi has no prebuilt package installed for ${process.platform}-${process.arch}`;

describe('nativeKoffiPlace', { timeout: 10_000 }, () => {
  it("names the installed koffi's version and this platform's module folders", () => {
    const place = nativeKoffiPlace();
    assert.ok(place, 'koffi was found');
    assert.equal(place.version, KOFFI_VERSION);
    assert.equal(place.from, path.join(MODULES, 'koffi', 'package.json'));
    const pkg = `@koromix/koffi-${process.platform}-${process.arch}`;
    const expected =
      process.platform === 'linux'
        ? [`${pkg}/linux_${process.arch}/koffi.node`, `${pkg}/musl_${process.arch}/koffi.node`]
        : [`${pkg}/${process.platform}_${process.arch}/koffi.node`];
    assert.deepEqual(place.modules, expected);
  });
});

describe('loadNativeKoffi', { timeout: 10_000, skip }, () => {
  it("loads the native module, whose version is koffi's and which is the one require('koffi') uses", async () => {
    const native = loadNativeKoffi(nativeKoffiPlace());
    assert.ok(native, 'the shortcut was taken');
    assert.equal(native.version, KOFFI_VERSION);
    assert.equal(typeof native.load, 'function');
    // One instance per process: koffi's own loader gets the same module from Node's cache.
    const { createRequire } = await import('node:module');
    const koffi = createRequire(import.meta.url)('koffi') as typeof native;
    assert.equal(koffi.struct, native.struct);
  });

  it('tries the next folder when a module is missing (the glibc build first, then musl)', () => {
    const place = nativeKoffiPlace();
    assert.ok(place);
    const missing = place.modules[0]!.replace(/\/[^/]+\/koffi\.node$/, '/no_such_build/koffi.node');
    const native = loadNativeKoffi({ ...place, modules: [missing, ...place.modules] });
    assert.equal(native?.version, KOFFI_VERSION);
  });

  it('declines when no module is found, the version differs, or koffi was not found', () => {
    // A koffi with no platform package beside it (nor in any folder above it).
    const elsewhere = path.join(tempDir(), 'koffi', 'package.json');
    const place = nativeKoffiPlace();
    assert.ok(place);
    assert.equal(
      loadNativeKoffi({ ...place, modules: ['@koromix/no-such-package/x/koffi.node'] }),
      undefined,
    );
    assert.equal(loadNativeKoffi({ ...place, version: `${KOFFI_VERSION}-other` }), undefined);
    assert.equal(loadNativeKoffi({ ...place, from: elsewhere }), undefined);
    assert.equal(loadNativeKoffi(undefined), undefined);
  });
});
