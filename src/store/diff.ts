import { checkPlain, isPlainObject, sameData, type ValuePath } from './plain-data.js';

/**
 * One change to a file's value, at a path. A codec turns each into an edit of the file's text, so that
 * everything outside the changed values keeps its bytes.
 * - `set`: the value at `path` becomes `value` (a new key of an object, or a replaced value);
 * - `insert`: `value` goes into the array at index `path.at(-1)`, the items from there shifting up;
 * - `delete`: the key or array item at `path` goes.
 */
export type Change =
  | { op: 'set'; path: ValuePath; value: unknown }
  | { op: 'insert'; path: ValuePath; value: unknown }
  | { op: 'delete'; path: ValuePath };

/**
 * The changes that turn `before` (what the file holds) into `after`, in an order in which they can be
 * applied one after the other. Objects are compared key by key (new keys go last); arrays keep their
 * common head and tail, and the items in between are changed in place, then inserted or deleted. Every
 * value written is checked to be plain data (`StoreSerializeError` naming its path); values left as they
 * were are not, so a file's `!!binary` or `!!timestamp` that no update touches stays as it is.
 */
export function diff(before: unknown, after: unknown, file: string, format: string): Change[] {
  const changes: Change[] = [];
  const set = (path: ValuePath, value: unknown, op: 'set' | 'insert' = 'set') => {
    checkPlain(value, path, file, format);
    changes.push({ op, path, value });
  };
  const walk = (old: unknown, next: unknown, path: ValuePath): void => {
    if (isPlainObject(old) && isPlainObject(next)) {
      for (const key of Object.keys(old)) {
        if (!Object.hasOwn(next, key) || next[key] === undefined)
          changes.push({ op: 'delete', path: [...path, key] });
      }
      for (const [key, value] of Object.entries(next)) {
        if (value === undefined) continue;
        if (Object.hasOwn(old, key)) walk(old[key], value, [...path, key]);
        else set([...path, key], value);
      }
    } else if (Array.isArray(old) && Array.isArray(next)) {
      let head = 0;
      while (head < old.length && head < next.length && sameData(old[head], next[head])) head++;
      let tail = 0;
      while (
        tail < old.length - head &&
        tail < next.length - head &&
        sameData(old[old.length - 1 - tail], next[next.length - 1 - tail])
      ) {
        tail++;
      }
      const oldMiddle = old.length - head - tail;
      const newMiddle = next.length - head - tail;
      const paired = Math.min(oldMiddle, newMiddle);
      for (let i = head; i < head + paired; i++) {
        walk(old[i], next[i], [...path, i]);
      }
      for (let i = head + paired; i < head + newMiddle; i++) set([...path, i], next[i], 'insert');
      for (let i = paired; i < oldMiddle; i++) changes.push({ op: 'delete', path: [...path, head + paired] });
    } else if (!sameData(old, next)) {
      set(path, next);
    }
  };
  walk(before, after, []);
  return changes;
}
