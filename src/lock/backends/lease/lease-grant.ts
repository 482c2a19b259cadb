import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { LockCompromisedError } from '../../../errors.js';
import type { BackendGrant } from '../backend.js';
import { watchViaFolder } from '../folder-watch.js';

/** The grants of the lease backend (lease.ts): the heartbeat that renews a marker, and loss detection. */

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The heartbeat and loss detection shared by both protocols. The timer is unref'd (a held lock does not
 * keep the process alive: a dead holder is recovered) and never throws: every failure becomes a loss.
 */
abstract class HeartbeatGrant implements BackendGrant {
  readonly key: string;
  readonly lease: number;
  #timer: NodeJS.Timeout | undefined;
  #released = false;
  #lost: Error | undefined;
  #onLost: ((reason: Error) => void) | undefined;
  #lastRenewal = Date.now();
  /** While renewing, our own touch of the marker must not be taken for someone else's change. */
  #renewing = false;
  #afterRenewal: (() => void) | undefined;

  stillHeld(): boolean {
    return !this.#released && !this.#lost;
  }

  constructor(key: string, lease: number) {
    this.key = key;
    this.lease = lease;
    this.#schedule();
  }

  /** Renew the lease once; resolves a reason when the lock is lost, throws on a transient failure. */
  protected abstract renew(): Promise<string | undefined>;
  /** Remove the marker if it is still ours (a few syscalls, made synchronously like the acquisition). */
  protected abstract remove(): void;
  /** Check, without renewing, whether the marker is still ours; a reason when it is not. */
  protected abstract check(): Promise<string | undefined>;
  /** What to watch for a prompt loss notice: paths whose folder entries change when the marker does. */
  protected abstract watched(): string[];

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#beat(), this.lease / 4);
    this.#timer.unref();
  }

  async #beat(): Promise<void> {
    this.#timer = undefined;
    if (this.#released || this.#lost) return;
    this.#renewing = true;
    try {
      const lost = await this.renew();
      if (lost) return this.lose(lost);
      this.#lastRenewal = Date.now();
    } catch {
      // A transient failure (EIO, a busy server): the lease is lost once others may consider it expired.
      if (Date.now() - this.#lastRenewal > this.lease) {
        return this.lose(`the lease could not be renewed for ${this.lease} ms`);
      }
    } finally {
      this.#renewing = false;
    }
    this.#afterRenewal?.();
    if (!this.#released && !this.#lost) this.#schedule();
  }

  protected lose(reason: string): void {
    if (this.#released || this.#lost) return;
    clearTimeout(this.#timer);
    this.#lost = new LockCompromisedError(this.key, reason);
    const notify = this.#onLost;
    this.#onLost = undefined;
    try {
      notify?.(this.#lost);
    } catch {
      // Never let a listener's exception escape from a timer or a watch callback.
    }
  }

  watchLoss(onLost: (reason: Error) => void): () => void {
    if (this.#released) return () => {};
    if (this.#lost) {
      onLost(this.#lost);
      return () => {};
    }
    this.#onLost = onLost;
    let checking = false;
    let again = false;
    const onChange = () => {
      if (this.#released || this.#lost) return;
      // A change during a check (or our own renewal) is looked at once that is done, never dropped.
      if (checking || this.#renewing) {
        again = true;
        return;
      }
      checking = true;
      again = false;
      this.check()
        .then((lost) => {
          if (lost) this.lose(lost);
        })
        .catch(() => {}) // the heartbeat decides on failures
        .finally(() => {
          checking = false;
          if (again) onChange();
        });
    };
    this.#afterRenewal = () => {
      if (again) onChange();
    };
    const stops = this.watched().map((file) => watchViaFolder(file, onChange));
    onChange();
    return () => {
      if (this.#onLost === onLost) this.#onLost = undefined;
      this.#afterRenewal = undefined;
      for (const stop of stops) stop();
    };
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    clearTimeout(this.#timer);
    this.#onLost = undefined;
    try {
      // Also after a loss: the removal is token-checked (or mtime-checked), so it never takes another's.
      this.remove();
    } catch {
      // Nothing to report: the marker is then stale at once for this host, after the lease for others.
    }
  }
}

export class LeaseGrant extends HeartbeatGrant {
  readonly #ownerFile: string;

  constructor(key: string, ownerFile: string, lease: number) {
    super(key, lease);
    this.#ownerFile = ownerFile;
  }

  protected async renew(): Promise<string | undefined> {
    const now = new Date();
    try {
      await fsp.utimes(this.#ownerFile, now, now);
    } catch (error) {
      if (code(error) === 'ENOENT') return 'the lock marker was removed or taken over by someone else';
      throw error;
    }
    // Keep the folder fresh too, so that proper-lockfile users see a live lock (best effort).
    await fsp.utimes(this.key, now, now).catch(() => {});
    return undefined;
  }

  protected async check(): Promise<string | undefined> {
    try {
      await fsp.stat(this.#ownerFile);
      return undefined;
    } catch (error) {
      if (code(error) === 'ENOENT') return 'the lock marker was removed or taken over by someone else';
      throw error;
    }
  }

  protected watched(): string[] {
    return [this.key, this.#ownerFile];
  }

  protected remove(): void {
    // Token-checked: only our owner file goes. Then the folder, if nobody has installed theirs meanwhile
    // (model: release, then rmdir(L)).
    fs.rmSync(this.#ownerFile, { force: true });
    fs.rmdirSync(this.key);
  }
}

export class FolderGrant extends HeartbeatGrant {
  #mtimeMs: number;

  constructor(key: string, mtimeMs: number, lease: number) {
    super(key, lease);
    this.#mtimeMs = mtimeMs;
  }

  protected async check(): Promise<string | undefined> {
    let stat: fs.Stats;
    try {
      stat = await fsp.stat(this.key);
    } catch (error) {
      if (code(error) === 'ENOENT') return 'the lock folder was removed by someone else';
      throw error;
    }
    if (stat.mtimeMs !== this.#mtimeMs) return 'the lock folder was replaced or touched by someone else';
    return undefined;
  }

  protected async renew(): Promise<string | undefined> {
    const lost = await this.check();
    if (lost) return lost;
    const now = new Date();
    await fsp.utimes(this.key, now, now);
    this.#mtimeMs = (await fsp.stat(this.key)).mtimeMs;
    return undefined;
  }

  protected watched(): string[] {
    return [this.key];
  }

  protected remove(): void {
    // Only a folder that still carries the mtime we set is ours to remove.
    if (fs.statSync(this.key).mtimeMs !== this.#mtimeMs) return;
    fs.rmdirSync(this.key);
  }
}
