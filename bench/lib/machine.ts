import { statfsSync } from 'node:fs';
import os from 'node:os';
import type { Machine } from './results.js';

/** statfs(2) f_type magic numbers of the file systems one is likely to benchmark on. */
const FILESYSTEMS: Record<number, string> = {
  61267: 'ext4',
  1481003842: 'xfs',
  2435016766: 'btrfs',
  16914836: 'tmpfs',
  2035054128: 'overlayfs',
  26985: 'nfs',
  4283649346: 'cifs',
  1702057286: 'fuse',
  801189825: 'zfs',
  464386766: 'bfs',
  19780: 'vfat',
  1397118030: 'ntfs',
  16914839: 'v9fs',
};

/** The machine header of the report: cores, Node, and the file system the lock files were on. */
export function describeMachine(folder: string): Machine {
  let filesystem = 'unknown';
  try {
    const type = statfsSync(folder).type;
    filesystem = FILESYSTEMS[type] ?? `statfs type 0x${type.toString(16)}`;
  } catch {}
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    filesystem,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
