// Loading koffi: its native module directly where it is found, else koffi's own loader, and either way a
// binding that locks.
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type Koffi,
  libcCandidates,
  loadedKoffiSource,
  loadKoffi,
  openKoffi,
} from '../../../../src/lock/backends/kernel/ffi.js';
import { nativeKoffiPlace } from '../../../../src/lock/backends/kernel/koffi-native.js';
import { tempDir } from '../../../helpers/tmp.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const platformPackage = path.join(
  ROOT,
  'node_modules',
  '@koromix',
  `koffi-${process.platform}-${process.arch}`,
);
const noShortcut = existsSync(platformPackage) ? undefined : 'koffi has no prebuilt package installed here';
const noFlock = process.platform === 'win32' ? 'flock(2) is POSIX' : undefined;

const LOCK_EX = 2;
const LOCK_NB = 4;

/** Whether `koffi` binds a flock(2) that excludes a second descriptor of the same file. */
function flockExcludes(koffi: Koffi): void {
  const libc = koffi.load(libcCandidates()[0]!);
  const flock = libc.func('int flock(int fd, int operation)') as (fd: number, op: number) => number;
  const file = path.join(tempDir(), 'lock');
  const first = openSync(file, 'a');
  const second = openSync(file, 'a');
  try {
    assert.equal(flock(first, LOCK_EX | LOCK_NB), 0, 'the first descriptor locks');
    assert.equal(flock(second, LOCK_EX | LOCK_NB), -1, 'the second is refused');
    assert.equal(koffi.errno(), os.constants.errno.EWOULDBLOCK);
  } finally {
    closeSync(first);
    closeSync(second);
  }
}

describe('loadKoffi', { timeout: 10_000 }, () => {
  it('takes the native module directly where the platform package is installed', { skip: noShortcut }, () => {
    assert.equal(loadedKoffiSource(), undefined, 'nothing loaded before the first call');
    loadKoffi();
    assert.equal(loadedKoffiSource(), 'native');
  });
});

describe('openKoffi', { timeout: 10_000, skip: noFlock }, () => {
  it('the native module locks', { skip: noShortcut }, () => {
    const { koffi, source } = openKoffi(nativeKoffiPlace());
    assert.equal(source, 'native');
    flockExcludes(koffi);
  });

  it("falls back to require('koffi') when the native module is missing, and that locks", () => {
    const place = nativeKoffiPlace();
    assert.ok(place);
    const { koffi, source } = openKoffi({ ...place, modules: ['@koromix/no-such-package/x/koffi.node'] });
    assert.equal(source, 'package');
    flockExcludes(koffi);
  });

  it('falls back when the native module is not the installed koffi version', () => {
    const place = nativeKoffiPlace();
    assert.ok(place);
    const { koffi, source } = openKoffi({ ...place, version: '0.0.1' });
    assert.equal(source, 'package');
    assert.equal(koffi.version, place.version);
  });

  it('falls back when koffi is not found as a package (a bundled app)', () => {
    const { source } = openKoffi(undefined);
    assert.equal(source, 'package');
  });
});
