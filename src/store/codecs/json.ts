import { type ParseError, parse as parseTolerant, printParseErrorCode, visit } from 'jsonc-parser';
import { diff } from '../diff.js';
import { StoreParseError, StoreSerializeError, StoreTooDeepError } from '../errors.js';
import { checkPlain, MAX_DEPTH } from '../plain-data.js';
import { type Codec, lineColumn, splitBom } from './codec.js';
import { applyJsonChange } from './json-edit.js';

/** `ValueExpected` → `value expected`. */
function words(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * Where JSON.parse failed. V8 does not always say (on Node 20, `Unexpected token '}'` has no position),
 * so a strict scan with jsonc-parser, which reports exact offsets, locates the first error.
 */
function locate(text: string, error: unknown): { offset: number; reason: string } {
  const errors: ParseError[] = [];
  parseTolerant(text, errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  const first = errors[0];
  if (first) return { offset: first.offset, reason: words(printParseErrorCode(first.error)) };
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  return { offset: position ? Number(position[1]) : 0, reason: message };
}

/** The offset where `text` nests deeper than `MAX_DEPTH`, or -1. Strings are skipped; the scan is linear. */
function tooDeepAt(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}

/** JSON.parse keeps the last of two equal keys and drops the first without a word: refuse them instead. */
function refuseDuplicateKeys(text: string, file: string): void {
  const open: Map<string, { line: number; column: number }>[] = [];
  visit(text, {
    onObjectBegin: () => {
      open.push(new Map());
    },
    onObjectEnd: () => {
      open.pop();
    },
    onObjectProperty: (property, _offset, _length, startLine, startCharacter) => {
      const keys = open.at(-1)!;
      const here = { line: startLine + 1, column: startCharacter + 1 };
      const first = keys.get(property);
      if (first) {
        throw new StoreParseError(
          file,
          'json',
          here.line,
          here.column,
          `duplicate key ${JSON.stringify(property)} (first at ${first.line}:${first.column}); JSON.parse would silently keep only the last`,
        );
      }
      keys.set(property, here);
    },
  });
}

function parse(text: string, file: string): unknown {
  const { body } = splitBom(text);
  const deep = tooDeepAt(body);
  if (deep >= 0) throw new StoreTooDeepError(file, MAX_DEPTH, lineColumn(body, deep));
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    const { offset, reason } = locate(body, error);
    const { line, column } = lineColumn(body, offset);
    throw new StoreParseError(file, 'json', line, column, reason, { cause: error });
  }
  refuseDuplicateKeys(body, file);
  return value;
}

export const jsonCodec: Codec = {
  name: 'json',
  parse,
  stringify(value, file, previous) {
    if (previous === undefined) {
      if (value === undefined) throw new StoreSerializeError(file, 'json', 'undefined has no JSON form');
      checkPlain(value, [], file, 'json');
      return `${JSON.stringify(value, null, 2)}\n`;
    }
    // Edit the text where the value changed, and only there.
    const { bom, body } = splitBom(previous);
    let text = body;
    for (const change of diff(parse(body, file), value, file, 'json')) {
      try {
        text = applyJsonChange(text, change);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new StoreSerializeError(file, 'json', reason, { path: change.path, cause: error });
      }
    }
    return bom + text;
  },
};
