import fs from 'node:fs';
import path from 'node:path';

/**
 * One `fs.watch` per folder for the whole process, shared by every waiter on a lock file in it. Watching
 * the folder rather than the file keeps working when a lock file is removed and created again.
 * A watch that cannot be set up (inotify limit, a filesystem without events) is not an error: the core's
 * capped backoff still finds the release, only later.
 */
interface FolderWatch {
  watcher: fs.FSWatcher;
  listeners: Map<string, Set<() => void>>;
  /** Set while nobody listens: the watch closes when it fires, unless someone listens again first. */
  closing: NodeJS.Timeout | undefined;
}

/**
 * How long a folder's watch stays open after its last listener left (ms). A loop that takes a lock, reads
 * `handle.signal` and releases it would otherwise open and close a watch on every cycle; a closed watch's
 * memory is only freed once the event loop turns (its close callback), so a loop that never yields to it
 * grew the heap by ~1 KB per cycle (51 MB per 50 000 cycles). Kept open, one watch serves every cycle.
 */
const LINGER_MS = 1_000;

const folders = new Map<string, FolderWatch>();

function open(folder: string): FolderWatch | undefined {
  let entry = folders.get(folder);
  if (entry) {
    clearTimeout(entry.closing);
    entry.closing = undefined;
    return entry;
  }
  let watcher: fs.FSWatcher;
  try {
    watcher = fs.watch(folder, { persistent: false });
  } catch {
    return undefined;
  }
  const listeners = new Map<string, Set<() => void>>();
  entry = { watcher, listeners, closing: undefined };
  const self = entry;
  watcher.on('change', (_event, filename) => {
    const name = typeof filename === 'string' ? filename : filename?.toString();
    // Some platforms omit the name: then every listener of the folder wakes.
    const targets = name ? [listeners.get(name)] : [...listeners.values()];
    for (const set of targets) if (set) for (const fn of [...set]) fn();
  });
  watcher.on('error', () => {
    // The folder vanished or the watch broke: drop it; waiters fall back to polling and re-arm later.
    if (folders.get(folder) === self) folders.delete(folder);
    clearTimeout(self.closing);
    watcher.close();
  });
  folders.set(folder, entry);
  return entry;
}

/** Call `onChange` whenever `file` (or its folder entry) changes. Returns a function that stops watching. */
export function watchViaFolder(file: string, onChange: () => void): () => void {
  const folder = path.dirname(file);
  const name = path.basename(file);
  const entry = open(folder);
  if (!entry) return () => {};
  let set = entry.listeners.get(name);
  if (!set) {
    set = new Set();
    entry.listeners.set(name, set);
  }
  set.add(onChange);
  return () => {
    const current = entry.listeners.get(name);
    if (!current) return;
    current.delete(onChange);
    if (current.size === 0) entry.listeners.delete(name);
    if (entry.listeners.size === 0 && folders.get(folder) === entry && !entry.closing) {
      entry.closing = setTimeout(() => {
        entry.closing = undefined;
        if (entry.listeners.size > 0 || folders.get(folder) !== entry) return;
        folders.delete(folder);
        entry.watcher.close();
      }, LINGER_MS);
      entry.closing.unref();
    }
  };
}
