import fs from 'node:fs';
import { watchViaFolder } from './folder-watch.js';

/**
 * Wake-ups for waiters: one `fs.watch` on the lock file itself per process, shared by its waiters.
 * Watching the file rather than its folder spares waiting processes a wake-up for every other change in
 * the folder (a store's temp file and rename, the data file being rewritten), which under contention
 * otherwise wakes every waiting process several times per lock cycle.
 *
 * The watch follows the path, not the inode: when the file is missing it watches the folder until the
 * file appears, and after every event it re-arms if the path now names another file (removed by
 * `removeOnRelease` or another tool and created again). A watch that cannot be set up is not an error:
 * the core's capped backoff still finds the release, only later.
 */
interface Entry {
  readonly listeners: Set<() => void>;
  watcher: fs.FSWatcher | undefined;
  ino: bigint | undefined;
  stopFolder: (() => void) | undefined;
}

const entries = new Map<string, Entry>();

function inode(file: string): bigint | undefined {
  try {
    const stat = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
    return stat?.isFile() ? stat.ino : undefined;
  } catch {
    return undefined;
  }
}

function disarm(entry: Entry): void {
  entry.watcher?.close();
  entry.watcher = undefined;
  entry.stopFolder?.();
  entry.stopFolder = undefined;
}

function arm(file: string, entry: Entry): void {
  disarm(entry);
  const ino = inode(file);
  if (ino !== undefined) {
    try {
      const watcher = fs.watch(file, { persistent: false });
      watcher.on('change', () => onEvent(file, entry));
      watcher.on('error', () => {
        if (entry.watcher === watcher && entries.get(file) === entry) arm(file, entry);
      });
      entry.watcher = watcher;
      entry.ino = ino;
      return;
    } catch {
      // fall through to the folder
    }
  }
  entry.ino = undefined;
  entry.stopFolder = watchViaFolder(file, () => onEvent(file, entry));
}

function onEvent(file: string, entry: Entry): void {
  if (entries.get(file) !== entry) return;
  for (const fn of [...entry.listeners]) fn();
  // Follow the path: a missing file is watched through its folder, a replaced one is watched anew.
  if (entries.get(file) === entry && (entry.ino === undefined || inode(file) !== entry.ino)) arm(file, entry);
}

/** Call `onChange` whenever the lock file at `file` may have changed. Returns a function that stops watching. */
export function watchLockFile(file: string, onChange: () => void): () => void {
  let entry = entries.get(file);
  if (!entry) {
    entry = { listeners: new Set(), watcher: undefined, ino: undefined, stopFolder: undefined };
    entries.set(file, entry);
    arm(file, entry);
  }
  const own = entry;
  own.listeners.add(onChange);
  return () => {
    own.listeners.delete(onChange);
    if (own.listeners.size === 0 && entries.get(file) === own) {
      entries.delete(file);
      disarm(own);
    }
  };
}
