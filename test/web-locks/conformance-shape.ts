// The argument checks and the WebIDL shape of LockManager and Lock, as checks of conformance-checks.ts.
import type { Check } from './conformance-checks.js';

function errorName(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (error) {
    return (error as Error).name;
  }
}

export const SHAPE_CHECKS: Check[] = [
  {
    // WebIDL conversions (TypeError) come first, then the spec's NotSupportedError cases.
    name: "argument errors: WebIDL's TypeErrors and the spec's NotSupportedErrors",
    async run(locks, name) {
      const signal = new AbortController().signal;
      const cb = () => {};
      const name_ = (p: Promise<unknown>) =>
        p.then(
          () => 'none',
          (e: Error) => e.name,
        );
      const request = locks.request.bind(locks) as (...args: unknown[]) => Promise<unknown>;
      return [
        await name_(request()),
        await name_(request(name)),
        await name_(request(name, { mode: 'foo' }, cb)),
        await name_(request(name, { mode: null }, cb)),
        await name_(request(name, { signal: 'x' }, cb)),
        await name_(request(`-${name}`, cb)),
        await name_(request(name, { steal: true, ifAvailable: true }, cb)),
        await name_(request(name, { steal: true, mode: 'shared' }, cb)),
        await name_(request(name, { signal, steal: true }, cb)),
        await name_(request(name, { signal, ifAvailable: true }, cb)),
      ];
    },
    expected: [
      'TypeError',
      'TypeError',
      'TypeError',
      'TypeError',
      'TypeError',
      'NotSupportedError',
      'NotSupportedError',
      'NotSupportedError',
      'NotSupportedError',
      'NotSupportedError',
    ],
  },
  {
    // WebIDL: interfaces without a constructor throw TypeError when constructed; operations and
    // attributes are enumerable; attributes are accessors on the prototype (read-only: no setter);
    // the class string is the interface's name.
    name: 'the shape of LockManager and Lock, as WebIDL defines it',
    async run(locks, name) {
      const proto = Object.getPrototypeOf(locks);
      const manager = {
        tag: Object.prototype.toString.call(locks),
        constructor: locks.constructor.name,
        construct: errorName(() => new (locks.constructor as new () => unknown)()),
        call: errorName(() => (locks.constructor as () => unknown)()),
        request: describe(Object.getOwnPropertyDescriptor(proto, 'request')),
        query: describe(Object.getOwnPropertyDescriptor(proto, 'query')),
        lengths: [locks.request.length, locks.query.length],
        tagDescriptor: describe(Object.getOwnPropertyDescriptor(proto, Symbol.toStringTag)),
      };
      const lock = await locks.request(name, (lock: object) => {
        const p = Object.getPrototypeOf(lock);
        return {
          tag: Object.prototype.toString.call(lock),
          constructor: lock.constructor.name,
          construct: errorName(() => new (lock.constructor as new () => unknown)()),
          own: Object.keys(lock),
          json: JSON.stringify(lock),
          name: describe(Object.getOwnPropertyDescriptor(p, 'name')),
          mode: describe(Object.getOwnPropertyDescriptor(p, 'mode')),
          assign: errorName(() => {
            (lock as { name: string }).name = 'changed';
          }),
          after: (lock as { name: string }).name === name,
          tagDescriptor: describe(Object.getOwnPropertyDescriptor(p, Symbol.toStringTag)),
        };
      });
      return { manager, lock };
    },
    expected: {
      manager: {
        tag: '[object LockManager]',
        constructor: 'LockManager',
        construct: 'TypeError',
        call: 'TypeError',
        request: 'value function writable enumerable configurable',
        query: 'value function writable enumerable configurable',
        lengths: [2, 0],
        tagDescriptor: 'value LockManager configurable',
      },
      lock: {
        tag: '[object Lock]',
        constructor: 'Lock',
        construct: 'TypeError',
        own: [],
        json: '{}',
        name: 'get enumerable configurable',
        mode: 'get enumerable configurable',
        assign: 'TypeError',
        after: true,
        tagDescriptor: 'value Lock configurable',
      },
    },
  },
];

/** A property descriptor in a few words: its kind, then its true flags. */
function describe(d: PropertyDescriptor | undefined): string {
  if (!d) return 'missing';
  const kind =
    'value' in d
      ? `value ${typeof d.value === 'function' ? 'function' : String(d.value)}`
      : d.set
        ? 'get set'
        : 'get';
  const flags = (['writable', 'enumerable', 'configurable'] as const).filter((f) => d[f]);
  return [kind, ...flags].join(' ');
}
