// Checks of the W3C Web Locks algorithms ("request a lock", "process the lock request queue", steal, the
// WebIDL shape), each run against a LockManager-like object and answering plain data. The expected answers
// are derived from the spec's algorithm, step by step, in the comments; conformance.test.ts runs every check
// on ours and compares with them, and, where the running Node has `navigator.locks` (Node 24.5+), also
// runs them on the built-in and requires identical answers.

/** What the checks use of a lock manager: the spec's `LockManager`. */
export interface LockManagerLike {
  request(name: string, callback: (lock: never) => unknown): Promise<unknown>;
  request(
    name: string,
    options: Record<string, unknown>,
    callback: (lock: never) => unknown,
  ): Promise<unknown>;
  query(): Promise<{ held: { name?: string; mode?: string }[]; pending: { name?: string; mode?: string }[] }>;
}

export interface Check {
  name: string;
  run(locks: LockManagerLike, name: string): Promise<unknown>;
  expected: unknown;
  /** Node's built-in answer where it knowingly differs from the spec (and from ours); see the README. */
  builtIn?: unknown;
}

function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** How a request's promise settled: `value:<json>` or `error:<name>`. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    return `value:${JSON.stringify(await promise)}`;
  } catch (error) {
    return `error:${error instanceof Error || error instanceof DOMException ? error.name : String(error)}`;
  }
}

/** Resolves when `condition()` holds; rejects after `ms` (a deadline, not a wait for time). */
async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met within the deadline');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The held and pending requests of `name` in a snapshot, without client ids (which differ by design). */
async function snapshot(
  locks: LockManagerLike,
  name: string,
): Promise<{ held: string[]; pending: string[] }> {
  const state = await locks.query();
  const of = (list: { name?: string; mode?: string }[]) =>
    list.filter((info) => info.name === name).map((info) => `${info.mode}`);
  return { held: of(state.held), pending: of(state.pending) };
}

export const CHECKS: Check[] = [
  {
    // "request a lock": a request that is grantable is granted at once (added to the held set); a later
    // steal removes it from the held set, rejects its promise with AbortError and is granted first.
    // Its callback was already enqueued, so it still runs, before the stealer's.
    name: 'steal in the grant window: the request granted in the same tick is robbed',
    async run(locks, name) {
      const order: string[] = [];
      const held = gate();
      const h = outcome(
        locks.request(name, () => {
          order.push('h');
          return held.promise;
        }),
      );
      const s = outcome(
        locks.request(name, { steal: true }, () => {
          order.push('s');
          return 's';
        }),
      );
      const result = { h: await h, s: await s, order };
      held.open();
      return result;
    },
    expected: { h: 'error:AbortError', s: 'value:"s"', order: ['h', 's'] },
  },
  {
    // A second steal finds the first stealer in the held set: it is robbed in turn (last caller wins).
    name: 'a second steal robs the first',
    async run(locks, name) {
      const order: string[] = [];
      const hold = gate();
      const a = outcome(
        locks.request(name, () => {
          order.push('a');
          return hold.promise;
        }),
      );
      const s1 = outcome(
        locks.request(name, { steal: true }, () => {
          order.push('s1');
          return hold.promise;
        }),
      );
      const s2 = outcome(
        locks.request(name, { steal: true }, () => {
          order.push('s2');
          return 's2';
        }),
      );
      const result = { a: await a, s1: await s1, s2: await s2, order };
      hold.open();
      return result;
    },
    expected: { a: 'error:AbortError', s1: 'error:AbortError', s2: 'value:"s2"', order: ['a', 's1', 's2'] },
  },
  {
    // After a steal, the held set has the stealer only: a later request waits for the stealer's release
    // (when its callback's promise settles), not for the robbed callback, which may never end.
    name: "a request after a steal waits for the stealer's callback, not the robbed one",
    async run(locks, name) {
      const order: string[] = [];
      const robbed = gate();
      const stealer = gate();
      const a = outcome(
        locks.request(name, async () => {
          order.push('a in');
          await robbed.promise;
          order.push('a out');
        }),
      );
      const s = outcome(
        locks.request(name, { steal: true }, async () => {
          order.push('s in');
          await stealer.promise;
          order.push('s out');
        }),
      );
      const r = outcome(
        locks.request(name, () => {
          order.push('r in');
        }),
      );
      await until(() => order.includes('s in'));
      const during = await snapshot(locks, name);
      stealer.open();
      const result = { a: await a, s: await s, r: await r, during };
      robbed.open();
      await until(() => order.includes('a out'));
      return { ...result, order };
    },
    expected: {
      a: 'error:AbortError',
      s: 'value:undefined',
      r: 'value:undefined',
      during: { held: ['exclusive'], pending: ['exclusive'] },
      order: ['a in', 's in', 's out', 'r in', 'a out'],
    },
  },
  {
    // One queue per name, processed in call order: the three shared requests on "a" are grantable when
    // made and are granted at once, so their callbacks are enqueued before "b"'s.
    name: "the issue's ordering example: three shared requests on a, then an exclusive one on b",
    async run(locks, name) {
      const order: string[] = [];
      const all = [0, 1, 2].map((i) =>
        locks.request(`${name}-a`, { mode: 'shared' }, () => {
          order.push(`a${i}`);
        }),
      );
      all.push(
        locks.request(`${name}-b`, () => {
          order.push('b');
        }),
      );
      await Promise.all(all);
      return order;
    },
    expected: ['a0', 'a1', 'a2', 'b'],
  },
  {
    // "process the lock request queue" grants from the head while the head is grantable: after the
    // exclusive holder releases, the two shared requests are granted together (both callbacks run before
    // either ends), the exclusive one waits for both, and the shared request behind it waits for it.
    name: 'shared requests that can be granted together are granted together, never past an exclusive one',
    async run(locks, name) {
      const order: string[] = [];
      const first = gate();
      let inside = 0;
      const both = gate();
      const shared = (label: string) =>
        locks.request(name, { mode: 'shared' }, async () => {
          order.push(`${label} in`);
          if (++inside === 2) both.open();
          const together = await Promise.race([both.promise.then(() => true), deadline(3_000)]);
          order.push(`${label} ${together ? 'together' : 'alone'}`);
        });
      const all = [
        locks.request(name, () => {
          order.push('x');
          return first.promise;
        }),
        shared('s1'),
        shared('s2'),
        locks.request(name, () => {
          order.push('e');
        }),
        locks.request(name, { mode: 'shared' }, () => {
          order.push('s3');
        }),
      ];
      await until(() => order.includes('x'));
      const queued = await snapshot(locks, name);
      first.open();
      await Promise.all(all);
      return { queued, order };
    },
    expected: {
      queued: { held: ['exclusive'], pending: ['shared', 'shared', 'exclusive', 'shared'] },
      order: ['x', 's1 in', 's2 in', 's1 together', 's2 together', 'e', 's3'],
    },
  },
  {
    // Each request is granted in the order it was made, one exclusive holder at a time.
    name: 'exclusive requests are granted one at a time, in call order',
    async run(locks, name) {
      const order: string[] = [];
      const all = [1, 2, 3, 4, 5].map((i) =>
        locks.request(name, async () => {
          order.push(`${i} in`);
          await Promise.resolve();
          order.push(`${i} out`);
        }),
      );
      await Promise.all(all);
      return order;
    },
    expected: ['1 in', '1 out', '2 in', '2 out', '3 in', '3 out', '4 in', '4 out', '5 in', '5 out'],
  },
  {
    // ifAvailable: granted only if grantable when made (no conflicting holder, and nobody queued), else
    // the callback gets null at once.
    name: 'ifAvailable: the lock when grantable, else null, even behind a waiting request',
    async run(locks, name) {
      const results: unknown[] = [];
      const mode = (lock: { mode: string } | null) => (lock ? lock.mode : null);
      results.push(await locks.request(name, { ifAvailable: true }, mode));
      const hold = gate();
      const held = outcome(locks.request(name, { mode: 'shared' }, () => hold.promise));
      results.push(await locks.request(name, { ifAvailable: true }, mode));
      results.push(await locks.request(name, { mode: 'shared', ifAvailable: true }, mode));
      const waiting = outcome(locks.request(name, () => 'w'));
      results.push(await locks.request(name, { mode: 'shared', ifAvailable: true }, mode));
      hold.open();
      results.push(await held, await waiting);
      return results;
    },
    expected: ['exclusive', null, 'shared', null, 'value:undefined', 'value:"w"'],
  },
  {
    // "signal to abort the request": a request still in the queue is removed and rejects with the
    // signal's reason (an aborted signal rejects at once); a granted request ignores it.
    name: 'signal: rejects a waiting request with its reason, and is ignored once granted',
    async run(locks, name) {
      const early = new AbortController();
      early.abort('early');
      const ran: string[] = [];
      const results: unknown[] = [];
      results.push(
        await locks.request(name, { signal: early.signal }, () => ran.push('early')).catch((e) => e),
      );
      const hold = gate();
      const held = outcome(locks.request(name, () => hold.promise));
      const waiting = new AbortController();
      const aborted = locks
        .request(name, { signal: waiting.signal }, () => ran.push('waiting'))
        .catch((e) => e);
      const next = outcome(locks.request(name, () => ran.push('next')));
      waiting.abort('late');
      results.push(await aborted);
      const granted = new AbortController();
      const after = outcome(
        locks.request(name, { signal: granted.signal }, async () => {
          granted.abort('ignored');
          ran.push('after');
          return 'kept';
        }),
      );
      hold.open();
      results.push(await held, await next, await after);
      return { results, ran };
    },
    expected: {
      results: ['early', 'late', 'value:undefined', 'value:1', 'value:"kept"'],
      ran: ['next', 'after'],
    },
  },
  {
    // Steal removes every holder of the name from the held set (shared ones too), then goes first.
    name: 'steal robs every shared holder and is granted before the waiting requests',
    async run(locks, name) {
      const order: string[] = [];
      const hold = gate();
      const s1 = outcome(
        locks.request(name, { mode: 'shared' }, () => {
          order.push('s1');
          return hold.promise;
        }),
      );
      const s2 = outcome(
        locks.request(name, { mode: 'shared' }, () => {
          order.push('s2');
          return hold.promise;
        }),
      );
      const w = outcome(
        locks.request(name, () => {
          order.push('w');
        }),
      );
      const thief = outcome(
        locks.request(name, { steal: true }, () => {
          order.push('thief');
        }),
      );
      const result = { s1: await s1, s2: await s2, thief: await thief, w: await w, order };
      hold.open();
      return result;
    },
    expected: {
      s1: 'error:AbortError',
      s2: 'error:AbortError',
      thief: 'value:undefined',
      w: 'value:undefined',
      order: ['s1', 's2', 'thief', 'w'],
    },
  },
  {
    // The request's promise settles like the callback's result, after the release.
    name: "request() settles like the callback's result",
    async run(locks, name) {
      const value = await locks.request(name, () => 'v');
      const thrown = new Error('boom');
      const caught = await locks.request(name, () => Promise.reject(thrown)).catch((e) => e === thrown);
      const steal = await locks.request(
        name,
        { steal: true },
        (lock: { name: string }) => lock.name === name,
      );
      return { value, caught, steal };
    },
    expected: { value: 'v', caught: true, steal: true },
  },
  {
    // "process the lock request queue" enqueues the callback's invocation on the event loop: it never
    // runs inside request(). Node 24 runs it synchronously when the lock is free.
    name: 'the callback is never invoked within request()',
    async run(locks, name) {
      let synchronous = true;
      const value = locks.request(name, () => synchronous);
      synchronous = false;
      return { ranSynchronously: await value };
    },
    expected: { ranSynchronously: false },
    builtIn: { ranSynchronously: true },
  },
];

function deadline(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms).unref?.());
}
