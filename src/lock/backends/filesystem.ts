import fs from 'node:fs';
import path from 'node:path';

/** The filesystem a folder lives on, as far as this platform tells. */
export interface Filesystem {
  /** `ext4`, `nfs4`, `fuse.sshfs`, `cifs`... (Linux: from /proc/self/mountinfo, else from statfs's magic). */
  type: string;
  /** Mount and superblock options (`local_lock=none`, `nolock`, ...), when known. */
  options: string[];
  /** Where it is mounted, when known. */
  mountPoint?: string;
}

/** Finds the filesystem of a folder; injectable so tests can simulate a network mount. */
export type FilesystemProbe = (folder: string) => Filesystem | undefined;

/** statfs f_type magic numbers of Linux (linux/magic.h and the filesystems' own headers). */
const MAGIC: Record<number, string> = {
  26985: 'nfs',
  20859: 'smbfs',
  4283649346: 'cifs',
  4266872130: 'smb2',
  1702057286: 'fuse',
  16914839: '9p',
  1785031267: 'virtiofs',
  12805120: 'ceph',
  1397113167: 'afs',
  1799439955: 'afs',
  1937076805: 'coda',
  22092: 'ncpfs',
  198183888: 'lustre',
  1196443219: 'gpfs',
  428016422: 'beegfs',
  2020557398: 'vboxsf',
  61267: 'ext4',
  1481003842: 'xfs',
  2435016766: 'btrfs',
  16914836: 'tmpfs',
  2035054128: 'overlay',
  801189825: 'zfs',
};

/** Network, cluster and user-space filesystems: flock there is local, emulated or unknown. */
const REMOTE =
  /^(nfs|nfs4|smbfs|smb2|smb3|cifs|ncpfs|ncp|afs|coda|9p|virtiofs|ceph|glusterfs|lustre|gpfs|beegfs|orangefs|pvfs2|ocfs2|gfs2|davfs|vboxsf|vmhgfs|prl_fs|osxfs|fuse|fuseblk|fuse\..+|fuseblk\..+)$/;

function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Parse /proc/self/mountinfo text and find the mount that holds `folder` (the longest matching mount point). */
export function findMount(mountinfo: string, folder: string): Filesystem | undefined {
  let best: (Filesystem & { mountPoint: string }) | undefined;
  for (const line of mountinfo.split('\n')) {
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    const left = line.slice(0, separator).split(' ');
    const right = line.slice(separator + 3).split(' ');
    const mountPoint = left[4] === undefined ? undefined : unescapeMount(left[4]);
    const type = right[0];
    if (!mountPoint || !type) continue;
    const inside =
      folder === mountPoint ||
      mountPoint === '/' ||
      folder.startsWith(mountPoint.endsWith('/') ? mountPoint : `${mountPoint}/`);
    // Later lines are mounted later: on the same mount point, the last one is what is visible.
    if (!inside || (best && mountPoint.length < best.mountPoint.length)) continue;
    const options = [...(left[5]?.split(',') ?? []), ...(right[2]?.split(',') ?? [])];
    best = { type, options, mountPoint };
  }
  return best;
}

/** The nearest existing folder at or above `folder`, with symlinks resolved. */
function existingFolder(folder: string): string | undefined {
  let current = path.resolve(folder);
  for (;;) {
    try {
      return fs.realpathSync.native(current);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return undefined;
      current = parent;
    }
  }
}

/** statfs's filesystem type number of `folder`; undefined when statfs fails. */
function statfsType(folder: string): number | undefined {
  try {
    return fs.statfsSync(folder).type;
  } catch {
    return undefined;
  }
}

/**
 * The default probe. statfs first (one system call). On Linux a filesystem it names as local needs no
 * more; a network, user-space or unknown one is looked up in /proc/self/mountinfo for its mount options
 * (NFS's local_lock), full name (fuse.sshfs) and mount point: reading it costs a first lock 0.4 ms, up to
 * 12 ms on a busy machine. Elsewhere (or when /proc is missing), statfs's type.
 */
export function probeFilesystem(folder: string): Filesystem | undefined {
  const real = existingFolder(folder);
  if (!real) return undefined;
  const type = statfsType(real);
  // The magic numbers are Linux's; other platforms number their types otherwise.
  const name = process.platform === 'linux' && type !== undefined ? MAGIC[type] : undefined;
  if (process.platform === 'linux') {
    if (name !== undefined && !REMOTE.test(name)) return { type: name, options: [] };
    try {
      const found = findMount(fs.readFileSync('/proc/self/mountinfo', 'utf8'), real);
      if (found) return found;
    } catch {
      // No /proc: statfs's type below.
    }
  }
  if (type === undefined) return undefined;
  return { type: name ?? `statfs type 0x${type.toString(16)}`, options: [] };
}

/** The `'auto'` rule: which backend a lock file in `folder` gets, and why. */
export function chooseFor(filesystem: Filesystem | undefined): {
  backend: 'kernel' | 'lease';
  reason: string;
} {
  if (!filesystem) {
    return { backend: 'kernel', reason: 'filesystem unknown (not detectable here): flock is trusted' };
  }
  const { type, options } = filesystem;
  const where = filesystem.mountPoint ? ` at ${filesystem.mountPoint}` : '';
  if (type === 'nfs' || type === 'nfs4') {
    const localLock = options.find((o) => o.startsWith('local_lock='))?.slice('local_lock='.length);
    if (options.includes('nolock')) {
      return {
        backend: 'lease',
        reason: `${type}${where} mounted with nolock: flock is local to this client`,
      };
    }
    if (localLock === 'none' || localLock === 'posix') {
      return {
        backend: 'kernel',
        reason: `${type}${where} with local_lock=${localLock}: flock is forwarded to the server`,
      };
    }
    const why = localLock
      ? `local_lock=${localLock}: flock is local to this client`
      : 'no local_lock option shown';
    return { backend: 'lease', reason: `${type}${where} with ${why}` };
  }
  if (REMOTE.test(type)) {
    return {
      backend: 'lease',
      reason: `${type}${where} is a network or user-space filesystem: flock there may be local or faked`,
    };
  }
  return { backend: 'kernel', reason: `local filesystem (${type}${where})` };
}
