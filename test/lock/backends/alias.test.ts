// An alias of a backend forwards every member; it is how 'auto' labels a backend and how Web Locks
// generations get queues of their own. An alias that dropped a wait's options once made Web Locks
// requests poll instead of sleeping in flock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, TryOptions } from '../../../src/backend.js';
import { aliasBackend } from '../../../src/lock/backends/alias.js';

function recordingBase() {
  const calls: (TryOptions | undefined)[] = [];
  let queues = false;
  const base: Backend = {
    name: 'base',
    supportsShared: true,
    reason: 'the base',
    get queues() {
      return queues;
    },
    tryAcquire: (_key, _mode, _holder, options) => {
      calls.push(options);
      return undefined;
    },
    inspect: () => ({ locked: false }),
    watch: () => () => {},
    keyFor: (name) => `key:${name}`,
  };
  return { base, calls, setQueues: (yes: boolean) => (queues = yes) };
}

const holder = { pid: 1, hostname: 'h', command: 'c', since: new Date(0) };

describe('aliasBackend', { timeout: 10_000 }, () => {
  it('forwards every member, live, as a new object', async () => {
    const { base, calls, setQueues } = recordingBase();
    const alias = aliasBackend(base);
    assert.notEqual(alias, base);
    assert.deepEqual([alias.name, alias.supportsShared, alias.reason], ['base', true, 'the base']);
    assert.equal(alias.queues, false);
    setQueues(true);
    assert.equal(alias.queues, true, 'read from the base each time');
    assert.equal(alias.keyFor?.('x', undefined), 'key:x');
    assert.equal(typeof alias.watch, 'function');
    await alias.tryAcquire('k', 'exclusive', holder, { wait: 5 });
    assert.deepEqual(calls, [{ wait: 5 }]);
  });

  it('replaces the reason, and passes the options of every attempt on unchanged', async () => {
    const { base, calls } = recordingBase();
    const alias = aliasBackend(base, { reason: 'chosen' });
    assert.equal(alias.reason, 'chosen');
    await alias.tryAcquire('k', 'exclusive', holder);
    await alias.tryAcquire('k', 'exclusive', holder, { wait: 0, dataFile: true });
    assert.deepEqual(calls, [undefined, { wait: 0, dataFile: true }]);
  });

  it('has no watch or keyFor where the base has none', () => {
    const { base } = recordingBase();
    const { watch: _watch, keyFor: _keyFor, ...plain } = base;
    const alias = aliasBackend(plain as Backend);
    assert.equal(alias.watch, undefined);
    assert.equal(alias.keyFor, undefined);
  });
});
