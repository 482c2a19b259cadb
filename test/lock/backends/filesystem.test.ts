import assert from 'node:assert/strict';
import fs, { statfsSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { inspect, lock } from '../../../src/index.js';
import { chooseFor, findMount, probeFilesystem } from '../../../src/lock/backends/filesystem.js';
import { setFilesystemProbe } from '../../../src/lock/backends/select.js';
import { tempDir } from '../../helpers/tmp.js';

const MOUNTINFO = [
  '22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p1 rw,errors=remount-ro',
  '40 22 0:40 / /home/shared rw,relatime shared:30 - nfs4 srv:/export/home rw,vers=4.2,hard,proto=tcp,local_lock=all,addr=10.0.0.2',
  '41 22 0:41 / /mnt/with\\040space rw,nosuid - fuse.sshfs user@host:/ rw,user_id=1000',
  '42 40 0:42 / /home/shared/proj rw - nfs srv:/proj rw,vers=3,local_lock=none,addr=10.0.0.2',
].join('\n');

describe("the 'auto' rule", { timeout: 30_000 }, () => {
  it('finds the mount of a folder by the longest mount point, unescaping \\040', () => {
    assert.equal(findMount(MOUNTINFO, '/var/tmp')?.type, 'ext4');
    assert.equal(findMount(MOUNTINFO, '/home/shared/a/b')?.type, 'nfs4');
    assert.ok(findMount(MOUNTINFO, '/home/shared')?.options.includes('local_lock=all'));
    assert.equal(findMount(MOUNTINFO, '/home/sharedx')?.type, 'ext4', 'a name prefix is not a folder prefix');
    assert.equal(findMount(MOUNTINFO, '/home/shared/proj/x')?.type, 'nfs');
    assert.equal(findMount(MOUNTINFO, '/mnt/with space/x')?.type, 'fuse.sshfs');
  });

  it('chooses lease where flock may be local or faked, kernel where it is local or forwarded', () => {
    const pick = (type: string, ...options: string[]) => chooseFor({ type, options }).backend;
    assert.equal(pick('ext4'), 'kernel');
    assert.equal(pick('tmpfs'), 'kernel');
    assert.equal(pick('nfs4', 'local_lock=none'), 'kernel');
    assert.equal(pick('nfs', 'local_lock=posix'), 'kernel', 'posix locks local, flock forwarded');
    assert.equal(pick('nfs4', 'local_lock=all'), 'lease');
    assert.equal(pick('nfs4', 'local_lock=flock'), 'lease');
    assert.equal(pick('nfs', 'nolock', 'local_lock=none'), 'lease');
    assert.equal(pick('nfs4'), 'lease', 'forwarding not shown: not provable');
    for (const type of [
      'cifs',
      'smb3',
      'fuse',
      'fuse.sshfs',
      'fuseblk',
      '9p',
      'virtiofs',
      'ceph',
      'vboxsf',
    ]) {
      assert.equal(pick(type), 'lease', type);
    }
    assert.equal(chooseFor(undefined).backend, 'kernel');
    assert.match(chooseFor({ type: 'nfs4', options: ['local_lock=all'] }).reason, /local_lock=all/);
  });

  it('the real probe finds the filesystem of a temp folder, even one not created yet', () => {
    const found = probeFilesystem(path.join(tempDir(), 'not', 'yet'));
    if (process.platform === 'linux') assert.ok(found?.type, 'a type on Linux');
  });

  it('on Linux a filesystem statfs names as local is not looked up in /proc/self/mountinfo', {
    skip: process.platform === 'linux' ? false : 'statfs magic numbers are Linux ones',
  }, (t) => {
    const dir = tempDir();
    const magic = statfsSync(dir).type;
    const reads = t.mock.method(fs, 'readFileSync');
    const found = probeFilesystem(dir);
    const mountinfoReads = reads.mock.calls.filter((call) => call.arguments[0] === '/proc/self/mountinfo');
    // ext4 0xef53, xfs, btrfs, tmpfs 0x1021994, overlay 0x794c7630, zfs: what CI and laptops have.
    const local = [0xef53, 0x58465342, 0x9123683e, 0x1021994, 0x794c7630, 0x2fc12fc1].includes(magic);
    if (local) {
      assert.equal(mountinfoReads.length, 0, 'statfs was enough');
      assert.equal(found?.mountPoint, undefined);
      assert.equal(chooseFor(found).backend, 'kernel');
    } else {
      assert.equal(mountinfoReads.length, 1, `type 0x${magic.toString(16)} is looked up`);
    }
  });

  it('on a simulated NFS mount with local_lock=all, lock() and inspect() use lease and say why', async () => {
    const dir = tempDir();
    setFilesystemProbe(() => ({ type: 'nfs4', options: ['rw', 'local_lock=all'], mountPoint: dir }));
    after(() => setFilesystemProbe());
    const file = path.join(dir, 'feeds.yaml');
    const handle = await lock(file);
    try {
      assert.equal(handle.backend, 'lease');
      const status = await inspect(file);
      assert.equal(status.locked, true);
      assert.equal(status.backend, 'lease');
      assert.match(status.reason ?? '', /nfs4 at .* local_lock=all: flock is local to this client/);
    } finally {
      await handle.release();
    }
    const previous = process.env.LOCKSMITH_BACKEND;
    process.env.LOCKSMITH_BACKEND = 'kernel';
    try {
      assert.equal((await inspect(file)).backend, 'kernel', 'LOCKSMITH_BACKEND overrides auto');
    } finally {
      if (previous === undefined) delete process.env.LOCKSMITH_BACKEND;
      else process.env.LOCKSMITH_BACKEND = previous;
    }
    setFilesystemProbe(() => ({ type: 'ext4', options: [] }));
    const local = await inspect(file);
    assert.equal(local.backend, 'kernel');
    assert.match(local.reason ?? '', /local filesystem \(ext4\)/);
  });
});
