import { isDeepStrictEqual } from 'node:util';
import { type Document, isMap, isScalar, isSeq, parseDocument, stringify as yamlStringify } from 'yaml';
import { StoreParseError, StoreSerializeError } from '../errors.js';
import { type Codec, lineColumn } from './codec.js';

const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true } as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Make `node` hold `value`, changing only what differs, so that comments, key order, quoting and
 * anchors of everything untouched stay as the user wrote them. Returns the node to put in its place.
 */
function merge(doc: Document, node: unknown, value: unknown): unknown {
  if (isMap(node) && isPlainObject(value)) {
    for (const pair of [...node.items]) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      const name = String(key);
      if (!Object.hasOwn(value, name) || value[name] === undefined) node.delete(pair.key);
    }
    for (const [name, child] of Object.entries(value)) {
      if (child === undefined) continue;
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === name);
      if (pair) pair.value = merge(doc, pair.value, child) as typeof pair.value;
      else node.add(doc.createPair(name, child));
    }
    return node;
  }
  if (isSeq(node) && Array.isArray(value)) {
    node.items.length = Math.min(node.items.length, value.length);
    value.forEach((child, index) => {
      if (index < node.items.length) node.items[index] = merge(doc, node.items[index], child);
      else node.items.push(doc.createNode(child));
    });
    return node;
  }
  if (isScalar(node) && typeof node.value === typeof value && (value === null || typeof value !== 'object')) {
    if (node.value !== value) node.value = value;
    return node;
  }
  const fresh = doc.createNode(value);
  // Keep the comments attached to what was there.
  if ((isScalar(node) || isMap(node) || isSeq(node)) && (isScalar(fresh) || isMap(fresh) || isSeq(fresh))) {
    fresh.commentBefore = node.commentBefore ?? null;
    fresh.comment = node.comment ?? null;
  }
  return fresh;
}

function plain(value: unknown, file: string): string {
  let text: string | undefined;
  try {
    text = yamlStringify(value);
  } catch (error) {
    throw new StoreSerializeError(file, 'yaml', error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
  if (text === undefined) throw new StoreSerializeError(file, 'yaml', `a ${typeof value} has no YAML form`);
  return text;
}

export const yamlCodec: Codec = {
  name: 'yaml',
  parse(text, file) {
    const doc = parseDocument(text, PARSE_OPTIONS);
    const error = doc.errors[0];
    if (error) {
      const { line, column } = lineColumn(text, error.pos[0]);
      const reason =
        error.code === 'MULTIPLE_DOCS' ? 'the file holds more than one YAML document' : error.message;
      throw new StoreParseError(file, 'yaml', line, column, reason, { cause: error });
    }
    try {
      return doc.toJS();
    } catch (cause) {
      // An alias bomb ("billion laughs") or a bad alias: refused by yaml's maxAliasCount.
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new StoreParseError(file, 'yaml', 1, 1, reason, { cause });
    }
  },
  stringify(value, file, previous) {
    const fresh = plain(value, file);
    if (previous === undefined) return fresh;
    const doc = parseDocument(previous, PARSE_OPTIONS);
    if (doc.errors.length > 0) return fresh;
    doc.contents = merge(doc, doc.contents, value) as typeof doc.contents;
    const kept = doc.toString();
    // The layout-keeping path must say exactly what the plain one says; when it cannot (exotic tags,
    // merge keys), the plain text is written: the data is what matters, the comments are a courtesy.
    const same = isDeepStrictEqual(parseDocument(kept).toJS(), parseDocument(fresh).toJS());
    return same ? kept : fresh;
  },
};
