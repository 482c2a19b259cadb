import { ownHostname } from '../../../../host.js';
import { readHolder } from '../record.js';
import type { ProcessExitWatch } from './process-exit.js';

/**
 * On Windows, the wait queue's head sleeps on its lock holder's process handle instead of polling the lock
 * every `HEAD_POLL_MS`: under Wine that poll was a good part of what idle waiters cost (issue 19). A
 * holder's death is what the poll is for (a live holder of ours wakes the head when it releases).
 *
 * The holder is the one the lock file's record names (a locksmith holder on this host). Its pid is trusted
 * only if the process behind it was created before the record's `since`: a pid reused by a later process
 * is not the holder. A holder with no record (a foreign tool) or another host's is not watched: the head
 * keeps polling for it. The watch itself is process-exit.ts's.
 */

export type HolderExitWatch = (fd: number, onExit: () => void) => (() => void) | undefined;

export function createHolderExitWatch(watchProcess: ProcessExitWatch, recordOffset: number): HolderExitWatch {
  return (fd, onExit) => {
    let holder: ReturnType<typeof readHolder>;
    try {
      holder = readHolder(fd, recordOffset);
    } catch {
      return undefined; // the head polls, as it would for a foreign holder
    }
    if (!holder || holder.hostname !== ownHostname()) return undefined;
    // Records keep `since` in whole seconds (rounded down), taken after the holder started: allow that.
    return watchProcess(holder.pid, holder.since.getTime() + 1_000, onExit);
  };
}
