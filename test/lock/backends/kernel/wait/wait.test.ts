import assert from 'node:assert/strict';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createPosixLock } from '../../../../../src/lock/backends/kernel/posix.js';
import {
  HANDOFF_MS,
  HEAD_POLL_MS,
  handedOffRecently,
  handOff,
  queueWaitsAvailable,
  TURN_MS,
  tookAgain,
  waitInQueue,
} from '../../../../../src/lock/backends/kernel/wait/index.js';
import { queueFolder } from '../../../../../src/lock/backends/kernel/wait/queue-dir.js';
import { holdWithFlock, killChildrenAfter, spawnChild } from '../../../../helpers/children.js';
import { tempDir } from '../../../../helpers/tmp.js';
import { setWaitEnv } from '../../../../helpers/wait-queue.js';

killChildrenAfter();
const skip = queueWaitsAvailable() ? false : 'waits do not use the wait queue here';

describe('the wait queue', { timeout: 60_000, skip }, () => {
  const dir = tempDir();
  const native = createPosixLock();
  let count = 0;

  /** A new lock file and a function that opens a descriptor of it (with the identity a wait needs). */
  function lockFile() {
    const file = path.join(dir, `lock-${count++}`);
    writeFileSync(file, '');
    const fds: number[] = [];
    const open = () => {
      const fd = openSync(file, 'r+');
      fds.push(fd);
      const { dev, ino } = statSync(file, { bigint: true });
      return { fd, dev, ino };
    };
    const close = () => {
      for (const fd of fds) closeSync(fd);
    };
    return { file, open, close };
  }

  /** Release as a holder of ours does: unlock, then wake the queue's first live waiter. */
  function release(d: { fd: number; dev: bigint; ino: bigint }) {
    native.unlock(d.fd);
    handOff(d.dev, d.ino, native);
  }

  function tickets(d: { dev: bigint; ino: bigint }): string[] {
    try {
      return readdirSync(queueFolder(d.dev, d.ino)!).sort();
    } catch {
      return [];
    }
  }

  it('hands the lock to the waiters in the order they came, one per release', async () => {
    const lf = lockFile();
    const holder = lf.open();
    assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
    const order: number[] = [];
    const descriptors = [lf.open(), lf.open(), lf.open()];
    const waits = descriptors.map((d, i) =>
      waitInQueue(d, 'exclusive', 30_000, undefined, native)!.then((result) => {
        order.push(i);
        return result;
      }),
    );
    assert.equal(tickets(holder).length, 3, 'three tickets in the queue');
    release(holder);
    assert.equal(await waits[0], 'held');
    await new Promise((resolve) => setTimeout(resolve, HEAD_POLL_MS * 3));
    assert.deepEqual(order, [0], 'the others still wait: one waiter per release');
    release(descriptors[0]!);
    assert.equal(await waits[1], 'held');
    release(descriptors[1]!);
    assert.equal(await waits[2], 'held');
    release(descriptors[2]!);
    assert.deepEqual(order, [0, 1, 2]);
    assert.deepEqual(tickets(holder), [], 'the queue is gone when empty');
    lf.close();
  });

  it('skips the ticket of a dead waiter (a ticket nobody holds) and removes it', async () => {
    const lf = lockFile();
    const holder = lf.open();
    assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
    const waiter = lf.open();
    const waiting = waitInQueue(waiter, 'exclusive', 30_000, undefined, native)!;
    // A ticket that sorts first, as if a waiter had queued earlier and then been killed.
    writeFileSync(path.join(queueFolder(holder.dev, holder.ino)!, '00000000000000000001-1-0'), '');
    release(holder);
    assert.equal(await waiting, 'held');
    native.unlock(waiter.fd);
    assert.deepEqual(tickets(holder), [], 'the dead ticket was removed');
    lf.close();
  });

  it('a killed waiter is skipped at once: the release wakes the next live one', async () => {
    const lf = lockFile();
    const holder = lf.open();
    assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
    const child = spawnChild('lock-worker.ts');
    await child.next('ready', 60_000);
    child.send({ type: 'lock', path: lf.file, options: { lockfilePath: lf.file, backend: 'kernel' } });
    await child.next('waiting');
    // The child queues after its first attempt: wait for its ticket.
    const deadline = performance.now() + 20_000;
    while (tickets(holder).length === 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const waiter = lf.open();
    const waiting = waitInQueue(waiter, 'exclusive', 30_000, undefined, native)!;
    child.kill();
    await child.exited;
    const released = performance.now();
    release(holder);
    assert.equal(await waiting, 'held');
    // Woken by the release, not found by a check of the waiters behind the head (once a second).
    assert.ok(performance.now() - released < 900, 'woken by the release');
    native.unlock(waiter.fd);
    lf.close();
  });

  it('a waiter that takes the lock wakes the next one at once, which becomes the head', async () => {
    const lf = lockFile();
    const holder = lf.open();
    assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
    const [a, b] = [lf.open(), lf.open()];
    const waitA = waitInQueue(a, 'exclusive', 30_000, undefined, native)!;
    const waitB = waitInQueue(b, 'exclusive', 30_000, undefined, native)!;
    const folder = queueFolder(holder.dev, holder.ino)!;
    const touchedAt = (name: string) => statSync(path.join(folder, name), { bigint: true }).ctimeNs;
    const [, ticketB] = tickets(holder);
    const before = touchedAt(ticketB!);
    release(holder);
    assert.equal(await waitA, 'held');
    // Still in the turn in which A took the lock: B was already told it is the head (it polls from now on).
    assert.notEqual(touchedAt(ticketB!), before, 'the next waiter was promoted when A took the lock');
    release(a);
    assert.equal(await waitB, 'held');
    native.unlock(b.fd);
    lf.close();
  });

  it("a holder killed in the turn it took the lock from the queue is noticed at the head's pace", async () => {
    const lf = lockFile();
    const holder = lf.open();
    assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
    // The child queues first (the head); it kills itself in the turn in which the lock is granted to it.
    const child = spawnChild('die-holding.ts');
    await child.next('ready', 60_000);
    child.send({ type: 'lock', path: lf.file });
    await child.next('waiting');
    const deadline = performance.now() + 20_000;
    while (tickets(holder).length === 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const waiter = lf.open();
    const waiting = waitInQueue(waiter, 'exclusive', 30_000, undefined, native)!;
    assert.equal(tickets(holder).length, 2, 'the child is the head, this waiter the next');
    release(holder);
    const { signal } = await child.exited;
    assert.equal(signal, 'SIGKILL');
    const died = performance.now();
    assert.equal(await waiting, 'held');
    // The next waiter's own check of the waiters before it comes only every IDLE_CHECK_MS (2 s).
    const took = performance.now() - died;
    assert.ok(took < 500, `the next waiter took the lock ${took.toFixed(0)} ms after the holder died`);
    native.unlock(waiter.fd);
    lf.close();
  });

  it('notices a release by a tool that knows nothing of the queue (util-linux flock)', async () => {
    const lf = lockFile();
    const flock = await holdWithFlock(lf.file);
    const waiter = lf.open();
    const waiting = waitInQueue(waiter, 'exclusive', 30_000, undefined, native)!;
    flock.end();
    await flock.exited;
    assert.equal(await waiting, 'held');
    native.unlock(waiter.fd);
    lf.close();
  });

  it('notices a holder killed while holding (the kernel released its lock)', async () => {
    const lf = lockFile();
    const child = spawnChild('lock-worker.ts');
    await child.next('ready', 60_000);
    child.send({ type: 'lock', path: lf.file, options: { lockfilePath: lf.file, backend: 'kernel' } });
    await child.next('locked');
    const waiter = lf.open();
    const waiting = waitInQueue(waiter, 'exclusive', 30_000, undefined, native)!;
    child.kill();
    assert.equal(await waiting, 'held');
    native.unlock(waiter.fd);
    lf.close();
  });

  it('a timeout or an abort leaves the queue and holds nothing; the next waiter is promoted', async () => {
    const lf = lockFile();
    const holder = lf.open();
    assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
    assert.equal(await waitInQueue(lf.open(), 'exclusive', 50, undefined, native), 'timeout');
    const controller = new AbortController();
    const first = waitInQueue(lf.open(), 'exclusive', 30_000, controller.signal, native)!;
    const second = lf.open();
    const next = waitInQueue(second, 'exclusive', 30_000, undefined, native)!;
    controller.abort();
    assert.equal(await first, 'aborted');
    assert.equal(tickets(holder).length, 1, 'only the second waiter is left');
    native.unlock(holder.fd); // no wake-up: the promoted head polls
    assert.equal(await next, 'held');
    native.unlock(second.fd);
    const probe = lf.open();
    assert.equal(native.tryLock(probe.fd, 'exclusive'), 'held', 'nothing is left held');
    native.unlock(probe.fd);
    assert.equal(await waitInQueue(probe, 'exclusive', 10, AbortSignal.abort(), native), 'aborted');
    lf.close();
  });

  /**
   * A live ticket (flock-held here) stamped `agoMs` before now, as if a waiter had queued then. A negative
   * age stands for one that queued just now, however late this line runs on a loaded machine.
   */
  function queuedTicket(d: { dev: bigint; ino: bigint }, agoMs: number) {
    const folder = queueFolder(d.dev, d.ino)!;
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stamp = process.hrtime.bigint() - BigInt(Math.round(agoMs * 1e6));
    const file = path.join(folder, `${stamp.toString().padStart(20, '0')}-${process.pid}-${count++}`);
    const fd = openSync(file, 'wx+');
    assert.equal(native.tryLock(fd, 'exclusive'), 'held');
    utimesSync(file, 0, 0); // a wake-up (a touch) sets its times to now
    return {
      /** Whether a wake-up touched the ticket. */
      touched: () => statSync(file).mtimeMs !== 0,
      leave: () => {
        unlinkSync(file);
        closeSync(fd);
      },
    };
  }

  /** The loop turns: immediates set before this (a turn's deferred wake-up) have run. */
  const loopTurns = () => new Promise((resolve) => setImmediate(resolve));

  it('within a turn a release defers its wake-up to the loop turning; taking the lock again puts it off', async () => {
    const lf = lockFile();
    const holder = lf.open();
    const waiter = queuedTicket(holder, -60_000);
    assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
    native.unlock(holder.fd);
    handOff(holder.dev, holder.ino, native); // the first release with a waiter starts a turn
    assert.equal(waiter.touched(), false, 'not woken yet');
    assert.equal(handedOffRecently(holder.dev, holder.ino), false, 'may take it back in its turn');
    assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
    tookAgain(holder.dev, holder.ino);
    await loopTurns();
    assert.equal(waiter.touched(), false, 'taking it again put the wake-up off');
    native.unlock(holder.fd);
    handOff(holder.dev, holder.ino, native);
    await loopTurns();
    assert.equal(waiter.touched(), true, 'woken when the loop turned');
    waiter.leave();
    lf.close();
  });

  it('once its turn is over, a release wakes the head at once and holds back (and so under fifo at every release)', async (t) => {
    for (const fifo of [false, true]) {
      if (fifo) setWaitEnv(t, 'LOCKSMITH_WAIT', 'fifo');
      const lf = lockFile();
      const holder = lf.open();
      const waiter = queuedTicket(holder, -60_000);
      assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
      if (!fifo) {
        native.unlock(holder.fd);
        handOff(holder.dev, holder.ino, native);
        assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
        tookAgain(holder.dev, holder.ino);
        const over = performance.now() + TURN_MS;
        while (performance.now() <= over) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      assert.equal(waiter.touched(), false);
      const released = performance.now();
      native.unlock(holder.fd);
      handOff(holder.dev, holder.ino, native);
      assert.equal(waiter.touched(), true, `woken at once${fifo ? ' (fifo)' : ''}`);
      const recently = handedOffRecently(holder.dev, holder.ino);
      // The hold-back lasts HANDOFF_MS: on a loaded machine this line may run later than that.
      if (performance.now() - released < HANDOFF_MS) assert.equal(recently, true, 'held back');
      waiter.leave();
      native.unlock(holder.fd);
      handOff(holder.dev, holder.ino, native);
      await loopTurns();
      assert.equal(handedOffRecently(holder.dev, holder.ino), false, 'nobody left to hand it to');
      lf.close();
    }
  });

  it('a process that takes the lock from the queue is past its hold-back (two processes in a loop keep their turns)', async (t) => {
    setWaitEnv(t, 'LOCKSMITH_WAIT', 'fifo'); // every release wakes the head at once and holds back
    const lf = lockFile();
    const holder = lf.open();
    const waiter = lf.open();
    assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
    const waiting = waitInQueue(waiter, 'exclusive', 30_000, undefined, native)!;
    const released = performance.now();
    release(holder);
    assert.equal(await waiting, 'held');
    // The hold-back was for the waiter woken then, which has now had the lock. Had it stayed, a process
    // would answer busy to itself after each hand-over, hand over at its next release, and two processes
    // would alternate at every critical section. (It lasts HANDOFF_MS: a loaded machine may get here later.)
    const elapsed = performance.now() - released;
    assert.equal(
      handedOffRecently(holder.dev, holder.ino),
      false,
      `held back ${elapsed.toFixed(1)} ms after`,
    );
    native.unlock(waiter.fd);
    handOff(waiter.dev, waiter.ino, native);
    lf.close();
  });

  it('where the head sleeps on its holder (no 40 ms poll to bound a late wake-up), a release wakes at once', () => {
    const lf = lockFile();
    const holder = lf.open();
    const waiter = queuedTicket(holder, -60_000);
    assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
    native.unlock(holder.fd);
    handOff(holder.dev, holder.ino, native, false);
    assert.equal(waiter.touched(), true);
    waiter.leave();
    lf.close();
  });

  it('a process that releases in its turn and exits at once still wakes the head (at exit)', async () => {
    const lf = lockFile();
    const d = lf.open();
    const child = spawnChild('lock-worker.ts');
    await child.next('ready', 60_000);
    child.send({ type: 'lock', path: lf.file, options: { lockfilePath: lf.file, backend: 'kernel' } });
    await child.next('locked');
    const waiter = queuedTicket(d, -60_000);
    child.send({ type: 'release-exit' });
    await child.exited;
    assert.equal(waiter.touched(), true, 'the deferred wake-up was made at exit');
    waiter.leave();
    lf.close();
  });

  it('shared waiters all get the lock when an exclusive holder releases', async () => {
    const lf = lockFile();
    const holder = lf.open();
    assert.equal(native.tryLock(holder.fd, 'exclusive'), 'held');
    const readers = [lf.open(), lf.open(), lf.open()];
    const waits = readers.map((d) => waitInQueue(d, 'shared', 30_000, undefined, native)!);
    release(holder);
    assert.deepEqual(await Promise.all(waits), ['held', 'held', 'held']);
    for (const d of readers) native.unlock(d.fd);
    lf.close();
  });
});
