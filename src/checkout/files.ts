// The files under a check-out root and their status.
import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { REGISTRY_FOLDER } from './confine-path.js';
import { type CheckoutHolder, CheckoutIOError } from './errors.js';
import type { CheckoutRecord } from './registry-file.js';
import type { FileStatus } from './types.js';

export function holderOf(record: CheckoutRecord): CheckoutHolder {
  return { owner: record.owner, message: record.message, checkedOutAt: new Date(record.checkedOutAt) };
}

export function fileStatus(
  name: string,
  stats: Stats | undefined,
  record: CheckoutRecord | undefined,
): FileStatus {
  const base = {
    name,
    exists: stats !== undefined,
    sizeBytes: stats?.size,
    modifiedAt: stats?.mtime,
  };
  if (!record) return { ...base, status: 'available' };
  return { ...base, status: 'checked-out', ...holderOf(record) };
}

export async function statFile(file: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(file);
    return stats.isFile() ? stats : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CheckoutIOError(file, 'read the status of', error);
  }
}

/** Every regular file under `dir`, relative to `root`; links are not followed (they could lead out). */
export async function walk(root: string, dir: string, out: Map<string, Stats>): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // Leaving the folder out would list its checked-out files as if they did not exist: say so instead.
    throw new CheckoutIOError(dir, 'list the folder', error);
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (dir === root && entry.name === REGISTRY_FOLDER) continue;
    if (entry.isDirectory()) await walk(root, full, out);
    else if (entry.isFile()) {
      const stats = await statFile(full);
      if (stats) out.set(path.relative(root, full).split(path.sep).join('/'), stats);
    }
  }
}
