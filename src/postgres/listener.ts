import type { Session } from './session.js';

/** Every release notifies this channel with the lock's number, so waiters retry at once. */
export const RELEASE_CHANNEL = 'locksmith_released';

/** How long the listening connection stays open after its last waiter leaves, in ms. */
const LINGER_MS = 5_000;

/**
 * One LISTEN connection per backend, opened while someone waits: the wake-up hint of `Backend.watch`.
 * Only a hint: a crashed holder notifies nobody, and the core keeps polling with its capped backoff.
 */
export class ReleaseListener {
  readonly #watchers = new Map<string, Set<() => void>>();
  #session: Promise<Session | undefined> | undefined;
  #linger: NodeJS.Timeout | undefined;

  constructor(private readonly open: () => Promise<Session>) {}

  watch(lock: string, onChange: () => void): () => void {
    let set = this.#watchers.get(lock);
    if (!set) {
      set = new Set();
      this.#watchers.set(lock, set);
    }
    set.add(onChange);
    clearTimeout(this.#linger);
    if (!this.#session) {
      const opening: Promise<Session | undefined> = this.#listen(() => {
        if (this.#session === opening) this.#session = undefined;
      });
      this.#session = opening;
    }
    return () => {
      set.delete(onChange);
      if (set.size === 0 && this.#watchers.get(lock) === set) this.#watchers.delete(lock);
      if (this.#watchers.size === 0) {
        clearTimeout(this.#linger);
        this.#linger = setTimeout(() => void this.close(), LINGER_MS);
        this.#linger.unref();
      }
    };
  }

  /** Open the LISTEN session; `forget` is called when it is lost or cannot be opened (the next watch retries). */
  async #listen(forget: () => void): Promise<Session | undefined> {
    try {
      const session = await this.open();
      session.client.on('notification', (message) => {
        if (message.channel !== RELEASE_CHANNEL || message.payload === undefined) return;
        for (const fn of [...(this.#watchers.get(message.payload) ?? [])]) fn();
      });
      session.onLost(forget);
      await session.query(`listen ${RELEASE_CHANNEL}`, [], 'listen for releases');
      return session;
    } catch {
      forget(); // no wake-ups: waiters still poll
      return undefined;
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.#linger);
    const pending = this.#session;
    this.#session = undefined;
    await (await pending)?.close();
  }
}
