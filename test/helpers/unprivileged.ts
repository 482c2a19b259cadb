import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NOBODY = 65534;
const repository = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let cached: string | false | undefined;

/**
 * Why the permission tests cannot run a child as user `nobody` here, or `false` when they can.
 * Run as root, they drop to nobody; that child must be able to read this checkout (tsx, koffi and the
 * sources). A clone inside a private folder (`mktemp -d` makes it 0700) is not readable by nobody: the
 * child would fail to start, or fall back from the kernel backend to the lease backend, and the test
 * would measure that instead of the permission it is about. Probed once, by capability.
 */
export function unprivilegedUnavailable(): string | false {
  if (cached !== undefined) return cached;
  if (process.getuid?.() !== 0) {
    cached = false; // not root: the children run as this user, and permissions apply to it already
    return cached;
  }
  const probe = spawnSync(
    process.execPath,
    ['-e', "require('koffi'); require('node:fs').accessSync('test/fixtures/unprivileged.ts')"],
    { cwd: repository, uid: NOBODY, gid: NOBODY, timeout: 30_000, encoding: 'utf8' },
  );
  cached =
    probe.status === 0
      ? false
      : `user nobody cannot read this checkout (${repository}), so no unprivileged child can run here`;
  return cached;
}
