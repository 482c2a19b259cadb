import { findNodeAtLocation, type JSONPath, type Node, visit } from 'jsonc-parser';
import type { Change } from '../diff.js';

/**
 * Apply changes to a JSON text in place: each change rewrites only the bytes of the value it changes
 * (plus a separator for a new or removed item), so everything else — a minified layout, odd spacing,
 * `1.0` or `1e3` spellings, escapes, invalid UTF-8 kept by `decodeText` — stays byte for byte.
 */

/** How the file writes what we add: its indentation unit (undefined: minified), line end, and `:` spacing. */
interface Style {
  indent: string | undefined;
  eol: string;
  colon: string;
}

function styleOf(text: string): Style {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const body = text.trim();
  if (!body.includes('\n')) {
    const colon = /"\s*:(\s*)/.exec(body)?.[1] ?? '';
    return { indent: undefined, eol, colon: `:${colon}` };
  }
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  const colon = /"(\s*):(\s*)/.exec(body);
  return { indent, eol, colon: colon ? `${colon[1]}:${colon[2]}` : ': ' };
}

/** The whitespace that starts the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

function render(value: unknown, style: Style, base: string): string {
  if (style.indent === undefined) return JSON.stringify(value);
  return JSON.stringify(value, null, style.indent).replaceAll('\n', style.eol + base);
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function end(node: Node): number {
  return node.offset + node.length;
}

/** Whether only whitespace separates the start of `offset`'s line from it. */
function startsLine(text: string, offset: number): boolean {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*$/.test(text.slice(start, offset));
}

/** Insert an item (`member(base)` renders it for indentation `base`) at `index` of an object or array node. */
function insertItem(
  text: string,
  container: Node,
  index: number,
  member: (base: string) => string,
  style: Style,
): string {
  const items = container.children ?? [];
  const open = container.offset;
  const close = end(container) - 1;
  const outer = lineIndent(text, open);
  if (items.length === 0) {
    if (style.indent === undefined) return splice(text, open + 1, close, member(outer));
    const inner = outer + style.indent;
    return splice(text, open + 1, close, `${style.eol}${inner}${member(inner)}${style.eol}${outer}`);
  }
  const first = items[0]!;
  const onOwnLines = startsLine(text, first.offset);
  const base = onOwnLines ? lineIndent(text, first.offset) : outer;
  let separator: string;
  if (items.length > 1) separator = text.slice(end(first), items[1]!.offset);
  else if (onOwnLines) separator = `,${style.eol}${base}`;
  else separator = style.indent === undefined && style.colon === ':' ? ',' : ', ';
  if (index >= items.length) {
    const last = items[items.length - 1]!;
    return splice(text, end(last), end(last), separator + member(base));
  }
  const at = items[index]!.offset;
  return splice(text, at, at, member(base) + separator);
}

function removeItem(text: string, container: Node, index: number): string {
  const items = container.children ?? [];
  const item = items[index]!;
  if (items.length === 1) return splice(text, container.offset + 1, end(container) - 1, '');
  if (index < items.length - 1) return splice(text, item.offset, items[index + 1]!.offset, '');
  return splice(text, end(items[index - 1]!), end(item), '');
}

/**
 * jsonc-parser's `parseTree`, built only along `path`: the containers on it get their children, the
 * others just their offset and length. A one-key update of a large file then builds a handful of nodes
 * instead of one per value (a 3 MB file: ~5 s for the whole tree, under 1 s this way).
 */
function treeAlong(text: string, path: (string | number)[]): Node | undefined {
  interface Building {
    type: Node['type'];
    offset: number;
    length: number;
    value?: unknown;
    parent?: Building;
    children?: Building[];
  }
  const root: Building = { type: 'array', offset: -1, length: -1, children: [] };
  let current = root;
  const container = path.length - 1;
  const onPath = (at: JSONPath) => at.length <= container && at.every((segment, i) => segment === path[i]);
  const finishProperty = (end: number) => {
    if (current.type === 'property') {
      current.length = end - current.offset;
      current = current.parent!;
    }
  };
  const add = (node: Building) => {
    node.parent = current;
    current.children!.push(node);
    return node;
  };
  const begin =
    (type: 'object' | 'array') =>
    (offset: number, _l: number, _sl: number, _sc: number, at: () => JSONPath) => {
      current = add({ type, offset, length: -1, children: [] });
      return onPath(at());
    };
  const end = (offset: number, length: number) => {
    finishProperty(offset + length);
    current.length = offset + length - current.offset;
    current = current.parent!;
    finishProperty(offset + length);
  };
  visit(
    text,
    {
      onObjectBegin: begin('object'),
      onArrayBegin: begin('array'),
      onObjectEnd: end,
      onArrayEnd: end,
      onObjectProperty: (name, offset, length) => {
        current = add({ type: 'property', offset, length: -1, children: [] });
        add({ type: 'string', value: name, offset, length });
      },
      onLiteralValue: (value, offset, length) => {
        add({
          type: value === null ? 'null' : (typeof value as Node['type']),
          offset,
          length,
          value,
        });
        finishProperty(offset + length);
      },
      onSeparator: (separator, offset) => {
        if (separator === ',') finishProperty(offset);
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return root.children![0] as Node | undefined;
}

function locate(root: Node, path: (string | number)[]): Node {
  const node = path.length === 0 ? root : findNodeAtLocation(root, path);
  if (!node) throw new Error(`no value at ${path.join('.')}`);
  return node;
}

/** Apply one change to `text` (a strict JSON text, no BOM). Throws a plain `Error` if the path is not there. */
export function applyJsonChange(text: string, change: Change): string {
  const style = styleOf(text);
  const root = treeAlong(text, change.path);
  if (!root) throw new Error('no JSON value');
  const parentPath = change.path.slice(0, -1);
  const key = change.path.at(-1);
  if (change.op === 'delete') {
    const parent = locate(root, parentPath);
    const index =
      parent.type === 'array'
        ? (key as number)
        : (parent.children ?? []).findIndex((p) => p.children?.[0]?.value === key);
    if (index < 0 || index >= (parent.children ?? []).length)
      throw new Error(`no value at ${change.path.join('.')}`);
    return removeItem(text, parent, index);
  }
  if (change.op === 'insert') {
    const parent = locate(root, parentPath);
    if (parent.type !== 'array') throw new Error(`${parentPath.join('.')} is not an array`);
    return insertItem(text, parent, key as number, (base) => render(change.value, style, base), style);
  }
  const existing = change.path.length === 0 ? root : findNodeAtLocation(root, change.path);
  if (existing) {
    return splice(
      text,
      existing.offset,
      end(existing),
      render(change.value, style, lineIndent(text, existing.offset)),
    );
  }
  const parent = locate(root, parentPath);
  if (parent.type === 'array') {
    return insertItem(text, parent, key as number, (base) => render(change.value, style, base), style);
  }
  if (parent.type !== 'object') throw new Error(`${parentPath.join('.')} is not an object`);
  const member = (base: string) => `${JSON.stringify(key)}${style.colon}${render(change.value, style, base)}`;
  return insertItem(text, parent, Number.POSITIVE_INFINITY, member, style);
}
