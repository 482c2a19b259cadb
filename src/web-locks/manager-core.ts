import path from 'node:path';
import { LockUnsupportedError } from '../errors.js';
import { aliasBackend } from '../lock/backends/alias.js';
import type { Backend } from '../lock/backends/backend.js';
import { selectBackend } from '../lock/backends/select.js';
import { type ClientEntry, Registry } from './client-registry.js';
import { prepareFolder, prepareSubfolder } from './folder.js';
import type { WebLockClientInfo, WebLockSnapshot } from './lock-manager.js';
import { lockFileName } from './lock-names.js';
import type { ParsedRequest } from './options.js';
import { NameQueue, now, type QueueContext, type Request } from './request-queue.js';

// What a LockManager does once loaded: lock-manager.ts, the class users see, checks the arguments of each
// call at once and hands the call here (loaded with the first `request` or `query` of the process).

interface Setup extends QueueContext {
  locks: string;
}

/** The queues, folders and registry of one LockManager. */
export class ManagerCore {
  readonly #folder: () => string;
  readonly #checkOwner: boolean;
  #setup: Setup | undefined;
  readonly #names = new Map<string, NameQueue>();
  #seq = 0;

  /** `folder` is the manager's `folder` getter: the default folder is chosen on first use. */
  constructor(folder: () => string, checkOwner: boolean) {
    this.#folder = folder;
    this.#checkOwner = checkOwner;
  }

  get folder(): string {
    return this.#folder();
  }

  /** Queue a checked request (see `LockManager.request`); settles as the spec's request does. */
  request(parsed: ParsedRequest<unknown>): Promise<unknown> {
    let setup: Setup;
    try {
      setup = this.#ready();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const request: Request = {
        seq: this.#seq++,
        name: parsed.name,
        mode: parsed.mode,
        kind: parsed.steal ? 'steal' : parsed.ifAvailable ? 'ifAvailable' : 'wait',
        signal: parsed.signal,
        callback: parsed.callback,
        resolve,
        reject,
        state: 'pending',
        since: now(),
      };
      this.#queue(parsed.name, setup).add(request);
    });
  }

  /** See `LockManager.query`. */
  async query(): Promise<WebLockSnapshot> {
    const setup = this.#ready();
    const others = await setup.registry.others();
    const mine = [...this.#names.values()].flatMap((queue) => queue.entries());
    const all = [...mine, ...others].sort(
      (a, b) => a.since - b.since || a.clientId.localeCompare(b.clientId) || a.seq - b.seq,
    );
    const info = ({ name, mode, clientId }: ClientEntry): WebLockClientInfo => ({ name, mode, clientId });
    return {
      held: all.filter((e) => e.state === 'held').map(info),
      pending: all.filter((e) => e.state === 'pending').map(info),
    };
  }

  #ready(): Setup {
    if (this.#setup) return this.#setup;
    prepareFolder(this.folder, this.#checkOwner);
    const locks = path.join(this.folder, 'locks');
    const clients = path.join(this.folder, 'clients');
    prepareSubfolder(locks);
    prepareSubfolder(clients);
    // Steal replaces the lock file, which only means something to a lock on the file itself (flock). The
    // lease backend, chosen by 'auto' on network filesystems, locks differently: refuse rather than pretend.
    const base: Backend = selectBackend(undefined, path.join(locks, 'web-locks.lock'));
    if (base.name !== 'kernel') {
      throw new LockUnsupportedError(
        `Web Locks need the kernel backend (flock on a local filesystem), but ${locks} gets the ${base.name} backend` +
          (base.reason ? ` (${base.reason})` : ''),
      );
    }
    const names = this.#names;
    this.#setup = {
      locks,
      base,
      // An alias of our own: this manager's waits queue apart from others'. A wait that sleeps in the kernel
      // on a lock file a steal then replaces is aborted and started again by KernelLock.wait.
      waitBackend: aliasBackend(base),
      registry: new Registry(clients, base),
      idle: (queue) => {
        if (names.get(queue.name) === queue) names.delete(queue.name);
      },
    };
    return this.#setup;
  }

  #queue(name: string, setup: Setup): NameQueue {
    let queue = this.#names.get(name);
    if (!queue) {
      queue = new NameQueue(name, path.join(setup.locks, lockFileName(name)), setup);
      this.#names.set(name, queue);
    }
    return queue;
  }
}
