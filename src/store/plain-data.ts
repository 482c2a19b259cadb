import { isDeepStrictEqual } from 'node:util';
import { StoreSerializeError, StoreTooDeepError } from './errors.js';

/** A key path inside a value: object keys and array indexes. */
export type ValuePath = (string | number)[];

/**
 * The deepest nesting of objects and arrays a store reads or writes. Real configuration files stay far
 * below it; the parsers (and `structuredClone`) recurse, and a hostile file must not exhaust their stack.
 */
export const MAX_DEPTH = 1000;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What `value` is, for a message: `a Date`, `a Map`, `NaN`, `a bigint`. */
function describe(value: unknown): string {
  if (typeof value === 'number' || value === undefined) return String(value);
  if (typeof value !== 'object' || value === null) return `a ${typeof value}`;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor
    ?.name;
  return name ? `a ${name}` : 'an object with a custom prototype';
}

const PLAIN = 'a store holds plain data only (objects, arrays, strings, finite numbers, booleans, null)';

/**
 * Throw unless `value` is plain data that reads back the same from JSON and YAML: `StoreSerializeError`
 * naming the path of the first value that is not (a `Date`, `Map`, `Set`, `NaN`, `Infinity`, a bigint, a
 * function, a symbol, a class instance, `undefined` or a hole in an array, a cycle), `StoreTooDeepError`
 * past `MAX_DEPTH`. An object property set to `undefined` means "no such key", as in JSON.
 */
export function checkPlain(value: unknown, path: ValuePath, file: string, format: string): void {
  const ancestors = new Set<object>();
  const visit = (item: unknown, at: ValuePath): void => {
    const refuse = (reason: string): never => {
      throw new StoreSerializeError(file, format, reason, { path: at });
    };
    switch (typeof item) {
      case 'string':
      case 'boolean':
        return;
      case 'number':
        if (!Number.isFinite(item))
          refuse(`${item} has no JSON or YAML form that reads back the same; ${PLAIN}`);
        return;
      case 'object':
        break;
      default:
        refuse(`${describe(item)} cannot be written; ${PLAIN}`);
    }
    if (item === null) return;
    if (at.length - path.length >= MAX_DEPTH) throw new StoreTooDeepError(file, MAX_DEPTH, { path: at });
    if (ancestors.has(item as object)) refuse('the value contains itself (a cycle)');
    const isArray = Array.isArray(item);
    if (!isArray && !isPlainObject(item)) refuse(`${describe(item)} would not read back the same; ${PLAIN}`);
    if (Object.getOwnPropertySymbols(item).length > 0) refuse('an object with symbol keys cannot be written');
    ancestors.add(item as object);
    if (isArray) {
      const list = item as unknown[];
      for (let i = 0; i < list.length; i++) {
        if (!Object.hasOwn(list, i)) {
          throw new StoreSerializeError(file, format, `a hole in an array; ${PLAIN}`, { path: [...at, i] });
        }
        if (list[i] === undefined) {
          throw new StoreSerializeError(
            file,
            format,
            `undefined in an array (JSON would write null); ${PLAIN}`,
            {
              path: [...at, i],
            },
          );
        }
        visit(list[i], [...at, i]);
      }
    } else {
      for (const [key, child] of Object.entries(item as Record<string, unknown>)) {
        if (child !== undefined) visit(child, [...at, key]);
      }
    }
    ancestors.delete(item as object);
  };
  visit(value, path);
}

/**
 * Whether two values read the same: plain objects (key order and `undefined` properties ignored), arrays,
 * and anything else a parser yields (a YAML `!!binary` Buffer, a `!!timestamp` Date) compared deeply.
 * `-0` equals `0`: JSON writes both as `0`.
 */
export function sameData(a: unknown, b: unknown): boolean {
  return firstDifference(a, b, []) === undefined;
}

/** The path of the first place where `a` and `b` differ, or `undefined` when they read the same. */
export function firstDifference(a: unknown, b: unknown, path: ValuePath): ValuePath | undefined {
  if (a === b) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return [...path, i];
      const found = firstDifference(a[i], b[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const found = firstDifference(a[key], b[key], [...path, key]);
      if (found) return found;
    }
    return undefined;
  }
  // A YAML `!!binary` reads as a Buffer, and a draft's copy of it (structuredClone) is a Uint8Array.
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return bytes(a).equals(bytes(b)) ? undefined : path;
  }
  return isDeepStrictEqual(a, b) ? undefined : path;
}
