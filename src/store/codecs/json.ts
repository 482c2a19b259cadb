import { type ParseError, parse as parseTolerant, printParseErrorCode } from 'jsonc-parser';
import { StoreParseError, StoreSerializeError } from '../errors.js';
import { type Codec, lineColumn } from './codec.js';

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

/** The indentation the file already uses (so a hand-formatted file keeps its style), else two spaces. */
function indentOf(previous: string | undefined): string | number {
  const match = previous === undefined ? null : /\n([ \t]+)\S/.exec(previous);
  return match?.[1] ?? 2;
}

export const jsonCodec: Codec = {
  name: 'json',
  parse(text, file) {
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    try {
      return JSON.parse(body);
    } catch (error) {
      const { offset, reason } = locate(body, error);
      const { line, column } = lineColumn(body, offset);
      throw new StoreParseError(file, 'json', line, column, reason, { cause: error });
    }
  },
  stringify(value, file, previous) {
    let text: string | undefined;
    try {
      text = JSON.stringify(value, null, indentOf(previous));
    } catch (error) {
      throw new StoreSerializeError(file, 'json', error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
    if (text === undefined) {
      throw new StoreSerializeError(file, 'json', `a ${typeof value} has no JSON form`);
    }
    return `${text}\n`;
  },
};
