import { type Document, type ParsedNode, parseDocument, stringify } from 'yaml';
import { diff } from '../diff.js';
import { StoreParseError, StoreSerializeError, StoreTooDeepError } from '../errors.js';
import { checkPlain, MAX_DEPTH } from '../plain-data.js';
import { type Codec, lineColumn, splitBom } from './codec.js';
import { applyYamlChange, YamlEditError } from './yaml-edit.js';

// `merge`: `<<: *base` merges, as docker-compose and CI files expect (YAML 1.1's merge key).
const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, merge: true } as const;

/**
 * An upper bound of how deep `text` nests, refused past `MAX_DEPTH` before the parser sees it (the
 * parser recurses, and its lexer chokes on 100 000 `- ` in a row). Per line: the indentation, plus the
 * `- ` and `? ` indicators that open nested blocks on it, plus the open flow brackets (outside quotes and
 * comments). It counts more than the true depth, never less.
 */
function tooDeepAt(text: string): number {
  let flow = 0;
  let offset = 0;
  for (const line of text.split('\n')) {
    let i = 0;
    while (line[i] === ' ') i++;
    let depth = i;
    let quote = '';
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = '';
        continue;
      }
      const before = i === 0 ? ' ' : line[i - 1]!;
      if ((c === '"' || c === "'") && /[ \t[{,:]/.test(before)) quote = c;
      else if (c === '#' && /[ \t]/.test(before)) break;
      else if (c === '[' || c === '{') flow++;
      else if ((c === ']' || c === '}') && flow > 0) flow--;
      else if ((c === '-' || c === '?') && /[ \t]/.test(before) && /[ \t]/.test(line[i + 1] ?? ' ')) depth++;
      if (depth + flow > MAX_DEPTH) return offset + i;
    }
    if (depth + flow > MAX_DEPTH) return offset;
    offset += line.length + 1;
  }
  return -1;
}

function parseDoc(text: string, file: string): Document.Parsed<ParsedNode> {
  const deep = tooDeepAt(text);
  if (deep >= 0) throw new StoreTooDeepError(file, MAX_DEPTH, lineColumn(text, deep));
  const doc = parseDocument(text, PARSE_OPTIONS);
  const error = doc.errors[0];
  if (error) {
    const { line, column } = lineColumn(text, error.pos[0]);
    // The parser catches its own stack overflow and reports it as a syntax error: it is nesting.
    if (/Maximum call stack/.test(error.message))
      throw new StoreTooDeepError(file, MAX_DEPTH, { line, column });
    const reason =
      error.code === 'MULTIPLE_DOCS' ? 'the file holds more than one YAML document' : error.message;
    throw new StoreParseError(file, 'yaml', line, column, reason, { cause: error });
  }
  return doc;
}

function toValue(doc: Document.Parsed<ParsedNode>, file: string): unknown {
  try {
    return doc.toJS();
  } catch (cause) {
    // An alias bomb ("billion laughs") or a bad alias: refused by yaml's maxAliasCount.
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new StoreParseError(file, 'yaml', 1, 1, reason, { cause });
  }
}

function fresh(value: unknown, file: string): string {
  if (value === undefined) throw new StoreSerializeError(file, 'yaml', 'undefined has no YAML form');
  checkPlain(value, [], file, 'yaml');
  return stringify(value, { aliasDuplicateObjects: false });
}

export const yamlCodec: Codec = {
  name: 'yaml',
  parse(text, file) {
    return toValue(parseDoc(splitBom(text).body, file), file);
  },
  stringify(value, file, previous) {
    if (previous === undefined) return fresh(value, file);
    const { bom, body } = splitBom(previous);
    let text = body;
    // One change at a time, each followed by a fresh parse and diff: a change that writes out a value
    // reached through an alias or a merge key also makes the changes below it, and the next diff sees that.
    let rounds = 0;
    let limit = 0;
    for (;;) {
      const doc = parseDoc(text, file);
      const changes = diff(toValue(doc, file), value, file, 'yaml');
      // Bounded, so that an edit that does not take cannot loop.
      if (rounds === 0) limit = 2 * changes.length + 2;
      const change = changes[0];
      if (!change) break;
      let next: string;
      try {
        next = applyYamlChange(text, doc, change, value);
      } catch (error) {
        if (!(error instanceof YamlEditError)) throw error;
        throw new StoreSerializeError(file, 'yaml', error.message, { path: error.path });
      }
      if (next === text || ++rounds > limit) {
        throw new StoreSerializeError(file, 'yaml', 'cannot be written in place', { path: change.path });
      }
      text = next;
    }
    return bom + text;
  },
};
