// The wait queue's tickets (src/lock/backends/kernel/wait/ticket.ts): which live ticket comes just before
// a waiter's own (the one a Windows waiter sleeps on), and what a ticket's name says of its maker.
import assert from 'node:assert/strict';
import { closeSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createPosixLock } from '../../../../../src/lock/backends/kernel/posix.js';
import {
  enterQueue,
  leaveQueue,
  predecessor,
  type Ticket,
  ticketMaker,
} from '../../../../../src/lock/backends/kernel/wait/ticket.js';
import { wakeNext } from '../../../../../src/lock/backends/kernel/wait/wake.js';
import { caseFolders } from '../../../../helpers/tmp.js';

const native = createPosixLock();
const folder = caseFolders();

/** Three tickets of this process, in arrival order (each flock-held through its own descriptor). */
function queueOfThree(): Ticket[] {
  const dir = path.join(folder(), 'queue');
  return [enterQueue(dir, native), enterQueue(dir, native), enterQueue(dir, native)];
}

/** A ticket whose waiter died: its file stays, its flock is gone. */
function die(ticket: Ticket): void {
  closeSync(ticket.fd);
}

describe('wait queue tickets', { timeout: 30_000 }, () => {
  it('the predecessor is the live ticket just before, dead ones between are removed', () => {
    const [a, b, c] = queueOfThree() as [Ticket, Ticket, Ticket];
    assert.equal(predecessor(a, native), undefined, 'the first is the head');
    assert.equal(predecessor(b, native), a.name);
    assert.equal(predecessor(c, native), b.name);
    die(b);
    assert.equal(predecessor(c, native), a.name, 'a dead one is skipped');
    assert.deepEqual(readdirSync(a.folder).sort(), [a.name, c.name], 'and its ticket removed');
    die(a);
    assert.equal(predecessor(c, native), undefined, 'no live one before: the head');
    leaveQueue(c);
  });

  it("a ticket's name gives its waiter's pid and the monotonic clock when it was held", () => {
    const before = process.hrtime.bigint();
    const [a, b, c] = queueOfThree() as [Ticket, Ticket, Ticket];
    const maker = ticketMaker(a.name);
    assert.equal(maker?.pid, process.pid);
    assert.ok(maker !== undefined && maker.stamp >= before && maker.stamp <= process.hrtime.bigint());
    assert.equal(ticketMaker('.123-4'), undefined, 'a ticket being made');
    assert.equal(ticketMaker('123-4-5'), undefined, 'a name enterQueue does not make');
    for (const t of [a, b, c]) leaveQueue(t);
  });

  it('wakeNext touches the first live ticket after the one leaving, not those before', () => {
    const [x, a, b] = queueOfThree() as [Ticket, Ticket, Ticket];
    const c = enterQueue(x.folder, native);
    const past = new Date(Date.now() - 60_000);
    for (const t of [x, a, b, c]) utimesSync(t.path, past, past);
    const touched = (t: Ticket) => statSync(t.path).mtimeMs > past.getTime() + 1_000;
    leaveQueue(a);
    die(b);
    wakeNext(a, native);
    assert.deepEqual(readdirSync(x.folder).sort(), [x.name, c.name], 'the dead one between was removed');
    assert.equal(touched(c), true, 'the next live one was woken');
    assert.equal(touched(x), false, 'the one before was not');
    leaveQueue(x);
    leaveQueue(c);
  });
});
