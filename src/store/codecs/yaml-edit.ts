import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type ParsedNode,
  type Scalar,
  stringify,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import type { Change } from '../diff.js';
import { isPlainObject } from '../plain-data.js';

/**
 * YAML's own white space and line breaks. Not JavaScript's `\s`, which also matches Unicode spaces (U+00A0,
 * U+2028, U+3000, U+FEFF...): in YAML those are content, and a value ending in one was cut short.
 */
const YAML_SPACE = /[ \t\r\n]/;

/**
 * Apply changes to a YAML text in place, by the source ranges of its nodes: each change rewrites only the
 * value it changes (plus the line of an added or removed item), so comments, anchors and aliases, merge
 * keys (`<<`), tags, quoting, key spellings (`1:` and `"1":`) and spacing elsewhere keep their bytes.
 */

type Path = (string | number)[];
type Range = [number, number, number];

/** Thrown when a change cannot be made in place; `path` is where. */
export class YamlEditError extends Error {
  constructor(
    message: string,
    readonly path: Path,
  ) {
    super(message);
  }
}

interface Ctx {
  text: string;
  eol: string;
  unit: number;
}

function rangeOf(node: unknown): Range {
  return (node as { range: Range }).range;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

function firstOnLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** The key a JavaScript object gets for a YAML key, or undefined for a merge key (`<<`) or a collection key. */
function keyName(key: unknown): string | undefined {
  if (!isScalar(key) || typeof key.value === 'symbol') return undefined;
  return String(key.value);
}

function pairsNamed(map: YAMLMap, name: string): Pair[] {
  return (map.items as Pair[]).filter((pair) => keyName(pair.key) === name);
}

/** A string as a YAML scalar on one line, in the quoting `type` when that can hold it. */
function renderString(value: string, type: unknown): string {
  const wanted = type === 'QUOTE_SINGLE' || type === 'QUOTE_DOUBLE' ? type : 'PLAIN';
  const options = { lineWidth: 0, blockQuote: false, defaultStringType: wanted } as const;
  const text = stringify(value, options).replace(/\n$/, '');
  return text.includes('\n') ? JSON.stringify(value) : text;
}

function isInline(value: unknown, flow: boolean): boolean {
  if (flow || value === null || typeof value !== 'object') return true;
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function renderInline(value: unknown, flow: boolean, old: unknown): string {
  if (typeof value === 'string')
    return flow ? JSON.stringify(value) : renderString(value, (old as Scalar)?.type);
  if (value === null || typeof value !== 'object') return String(value);
  // JSON is YAML's flow style.
  return JSON.stringify(value);
}

/** The block lines of a non-empty collection, unindented. */
function blockLines(value: unknown, unit: number): string[] {
  return stringify(value, { indent: unit, lineWidth: 0, aliasDuplicateObjects: false })
    .replace(/\n$/, '')
    .split('\n');
}

/** The tag and anchor written before `offset` (`&a !!binary `): where they start, and the anchor's text. */
function propsBefore(text: string, offset: number): { start: number; anchor?: string; tag?: string } {
  let start = offset;
  const found: { anchor?: string; tag?: string } = {};
  for (;;) {
    let i = start;
    while (i > 0 && YAML_SPACE.test(text[i - 1]!)) i--;
    let j = i;
    while (j > 0 && !YAML_SPACE.test(text[j - 1]!)) j--;
    const token = text.slice(j, i);
    if (token.startsWith('&') && found.anchor === undefined) found.anchor = token;
    else if (token.startsWith('!') && found.tag === undefined) found.tag = token;
    else return { start, ...found };
    start = j;
  }
}

interface Place {
  node: unknown;
  /** How the value sits: a map's value (with the key node), a block list's item, inside a flow collection, or the root. */
  kind: 'pair' | 'item' | 'flow' | 'root';
  key?: unknown;
}

/**
 * Walk `path`; an alias (or a key a merge key provides) on the way stops the walk, and says how much of
 * the path leads to it: that value is then written out whole.
 */
function walk(doc: Document, path: Path): { place: Place } | { alias: number } {
  let place: Place = { node: doc.contents, kind: 'root' };
  for (const [i, segment] of path.entries()) {
    const node = place.node;
    if (isAlias(node)) return { alias: i };
    if (isMap(node)) {
      const pairs = pairsNamed(node, String(segment));
      if (pairs.length > 1) {
        throw new YamlEditError(
          `${pairs.length} keys of this map read as ${JSON.stringify(String(segment))} (${pairs.map((p) => (p.key as Scalar).source ?? String((p.key as Scalar).value)).join(', ')}): say which by editing the file`,
          path.slice(0, i + 1),
        );
      }
      // A key that only a merge key (<<) provides: written out as the map's own key.
      if (pairs.length === 0) return { alias: i + 1 };
      place = { node: pairs[0]!.value, kind: node.flow ? 'flow' : 'pair', key: pairs[0]!.key };
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      place = { node: node.items[segment], kind: node.flow ? 'flow' : 'item' };
    } else {
      throw new YamlEditError('no such value in the file', path.slice(0, i + 1));
    }
  }
  if (isAlias(place.node)) return { alias: path.length };
  return { place };
}

/** Replace the value at `place` with `value`, keeping its anchor (and its tag when the type stays). */
function replace(ctx: Ctx, place: Place, value: unknown, old: unknown): string {
  const { text, eol } = ctx;
  const node = place.node as Node | null | undefined;
  const empty = isScalar(node) && node.value === null && rangeOf(node)[0] === rangeOf(node)[1];
  if (node === null || node === undefined || empty) {
    // The root of a file holding only comments, or an empty value (`key:`).
    if (place.kind === 'root')
      return `${text}${text.endsWith('\n') || text === '' ? '' : eol}${stringify(value)}`;
    const at = rangeOf(place.key)[1];
    const colon = text.indexOf(':', at) + 1;
    return splice(text, colon, colon, valueAfterIndicator(ctx, place, value, colon));
  }
  const range = rangeOf(node);
  const props = propsBefore(text, range[0]);
  const keepTag =
    props.tag !== undefined && typeof old === typeof value && (old === null || typeof old !== 'object');
  const kept = [props.anchor, keepTag ? props.tag : undefined].filter((p) => p !== undefined).join(' ');
  const flow = place.kind === 'flow';
  const wasBlock = isCollection(node) && !node.flow;
  // Block collections and block scalars (`|`) take in their last line break: the value ends before it.
  let end = range[1];
  while (end > range[0] && YAML_SPACE.test(text[end - 1]!)) end--;
  if (isInline(value, flow) && !wasBlock) {
    return splice(text, props.start, end, (kept ? `${kept} ` : '') + renderInline(value, flow, node));
  }
  if (place.kind === 'root') {
    const body = isInline(value, false)
      ? renderInline(value, false, node)
      : blockLines(value, ctx.unit).join(eol);
    return splice(text, props.start, end, (kept ? `${kept}${eol}` : '') + body);
  }
  // Rewrite from just after the `:` or `-` that introduces the value.
  let start = props.start;
  while (start > 0 && YAML_SPACE.test(text[start - 1]!)) start--;
  return splice(
    text,
    start,
    end,
    (kept ? ` ${kept}` : '') + valueAfterIndicator(ctx, place, value, start, !!kept),
  );
}

/** A value as written after its `key:` or `-` (at `at`), starting with the space or line break it needs. */
function valueAfterIndicator(ctx: Ctx, place: Place, value: unknown, at: number, hasProps = false): string {
  if (isInline(value, place.kind === 'flow'))
    return ` ${renderInline(value, place.kind === 'flow', undefined)}`;
  const lines = blockLines(value, ctx.unit);
  const indicatorColumn = column(ctx.text, at - 1);
  if (place.kind === 'item' && !hasProps) {
    return ` ${lines.join(ctx.eol + ' '.repeat(indicatorColumn + 2))}`;
  }
  const base =
    place.kind === 'item' ? indicatorColumn + 2 : column(ctx.text, rangeOf(place.key)[0]) + ctx.unit;
  return lines.map((line) => ctx.eol + ' '.repeat(base) + line).join('');
}

/** Where an item of a block collection starts: its key, or its `-`. */
function itemStart(text: string, collection: YAMLMap | YAMLSeq, index: number): number {
  const item = collection.items[index];
  if (isMap(collection)) return rangeOf((item as Pair).key)[0];
  let i = rangeOf(item)[0];
  i = propsBefore(text, i).start;
  while (i > 0 && text[i - 1] !== '-') i--;
  return i - 1;
}

function itemEnd(collection: YAMLMap | YAMLSeq, index: number): number {
  const item = collection.items[index];
  if (isMap(collection)) {
    const pair = item as Pair;
    return rangeOf(pair.value ?? pair.key)[1];
  }
  return rangeOf(item)[1];
}

function add(
  ctx: Ctx,
  collection: YAMLMap | YAMLSeq,
  index: number,
  key: string | undefined,
  value: unknown,
): string {
  const { text, eol } = ctx;
  const flow = Boolean(collection.flow);
  const range = rangeOf(collection);
  if (flow) {
    const member =
      (key === undefined ? '' : `${JSON.stringify(key)}: `) + renderInline(value, true, undefined);
    if (collection.items.length === 0) return splice(text, range[0] + 1, range[0] + 1, member);
    if (index >= collection.items.length) {
      const at = itemEnd(collection, collection.items.length - 1);
      return splice(text, at, at, `, ${member}`);
    }
    const at = isMap(collection) ? itemStart(text, collection, index) : rangeOf(collection.items[index])[0];
    return splice(text, at, at, `${member}, `);
  }
  const first = itemStart(text, collection, 0);
  const indent = ' '.repeat(column(text, first));
  const head = key === undefined ? '-' : `${renderString(key, 'PLAIN')}:`;
  // Render the item as if it were at the column of the first one.
  const probe = `${indent}${head}`;
  const scratch: Ctx = { ...ctx, text: probe };
  const place: Place =
    key === undefined
      ? { node: undefined, kind: 'item' }
      : { node: undefined, kind: 'pair', key: { range: [indent.length, 0, 0] } };
  const member = head + valueAfterIndicator(scratch, place, value, probe.length);
  if (index < collection.items.length) {
    const at = itemStart(text, collection, index);
    return splice(text, at, at, member + eol + indent);
  }
  let at = range[1];
  while (at > range[0] && YAML_SPACE.test(text[at - 1]!)) at--;
  return splice(text, at, at, eol + indent + member);
}

function remove(ctx: Ctx, collection: YAMLMap | YAMLSeq, index: number): string {
  const { text } = ctx;
  const count = collection.items.length;
  if (collection.flow) {
    const start = isMap(collection)
      ? itemStart(text, collection, index)
      : rangeOf(collection.items[index])[0];
    if (index < count - 1) {
      const next = isMap(collection)
        ? itemStart(text, collection, index + 1)
        : rangeOf(collection.items[index + 1])[0];
      return splice(text, start, next, '');
    }
    return splice(text, itemEnd(collection, index - 1), itemEnd(collection, index), '');
  }
  const start = itemStart(text, collection, index);
  if (index < count - 1) {
    // A first item written after its parent's `-` (`- a: 1`) hands that place to the next one.
    const next = itemStart(text, collection, index + 1);
    if (!firstOnLine(text, start)) return splice(text, start, next, '');
    return splice(text, lineStart(text, start), firstOnLine(text, next) ? lineStart(text, next) : next, '');
  }
  // A block collection's range takes in its last line break: back up to its last character first.
  let end = itemEnd(collection, index);
  while (end > start && YAML_SPACE.test(text[end - 1]!)) end--;
  const newline = text.indexOf('\n', end);
  end = newline < 0 ? text.length : newline + 1;
  if (!firstOnLine(text, start)) return splice(text, start, end, '');
  return splice(text, lineStart(text, start), end, '');
}

function valueAt(value: unknown, path: Path): unknown {
  let node = value;
  for (const segment of path) {
    node =
      Array.isArray(node) || isPlainObject(node)
        ? (node as Record<string | number, unknown>)[segment]
        : undefined;
  }
  return node;
}

/**
 * Apply one change to `text`, given its parsed `doc` and the whole value the update wants (`target`).
 * Throws `YamlEditError` when the change cannot be made in place.
 */
export function applyYamlChange(
  text: string,
  doc: Document.Parsed<ParsedNode>,
  change: Change,
  target: unknown,
): string {
  const ctx: Ctx = {
    text,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    unit: /\n( +)\S/.exec(text)?.[1]?.length ?? 2,
  };
  const rewrite = (path: Path) =>
    applyYamlChange(text, doc, { op: 'set', path, value: valueAt(target, path) }, target);
  if (change.path.length === 0) {
    if (change.op !== 'set') throw new YamlEditError('no such value in the file', change.path);
    return replace(ctx, { node: doc.contents, kind: 'root' }, change.value, scalarValue(doc.contents));
  }
  const parentPath = change.path.slice(0, -1);
  const key = change.path.at(-1)!;
  const found = walk(doc, parentPath);
  // A value reached through an alias (`*base`): write that value out in place of the alias, so that the
  // anchored value and its other aliases stay as they are.
  if ('alias' in found) return rewrite(parentPath.slice(0, found.alias));
  const parent = found.place.node;
  if (isMap(parent)) {
    const pairs = pairsNamed(parent, String(key));
    if (pairs.length > 1) {
      const spellings = pairs.map((p) => text.slice(rangeOf(p.key)[0], rangeOf(p.key)[1]));
      throw new YamlEditError(
        `${pairs.length} keys of this map read as ${JSON.stringify(String(key))} (${spellings.join(', ')}); the store cannot tell which one to change`,
        change.path,
      );
    }
    const pair = pairs[0];
    if (change.op === 'delete') {
      if (!pair)
        throw new YamlEditError('this key comes from a merge key (<<): it cannot be removed', change.path);
      if (parent.items.length === 1) return rewrite(parentPath);
      return remove(ctx, parent, parent.items.indexOf(pair));
    }
    if (!pair) return add(ctx, parent, parent.items.length, String(key), change.value);
    const place: Place = { node: pair.value, kind: parent.flow ? 'flow' : 'pair', key: pair.key };
    return replace(ctx, place, change.value, scalarValue(pair.value));
  }
  if (isSeq(parent) && typeof key === 'number' && key <= parent.items.length) {
    if (change.op === 'delete') {
      if (parent.items.length === 1) return rewrite(parentPath);
      return remove(ctx, parent, key);
    }
    if (change.op === 'insert' || key === parent.items.length)
      return add(ctx, parent, key, undefined, change.value);
    const place: Place = { node: parent.items[key], kind: parent.flow ? 'flow' : 'item' };
    return replace(ctx, place, change.value, scalarValue(parent.items[key]));
  }
  // An empty value (`key:`) or a scalar becoming a collection: write the whole collection.
  if (change.op !== 'delete' && parentPath.length > 0) return rewrite(parentPath);
  throw new YamlEditError('no such value in the file', change.path);
}

function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : undefined;
}
