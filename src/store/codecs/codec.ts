/**
 * A file format of the store. `parse` throws `StoreParseError` (with line and column) or
 * `StoreTooDeepError`; `stringify` throws `StoreSerializeError` (naming the path of the value) and, given
 * the file's current text, edits that text where the value changed and nowhere else.
 */
export interface Codec {
  readonly name: 'json' | 'yaml';
  parse(text: string, file: string): unknown;
  stringify(value: unknown, file: string, previous: string | undefined): string;
}

/** 1-based line and column of a character offset (columns count UTF-16 code units, as editors mostly do). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** A leading byte-order mark, kept apart so that it is written back as it was. */
export function splitBom(text: string): { bom: string; body: string } {
  return text.charCodeAt(0) === 0xfeff ? { bom: '\uFEFF', body: text.slice(1) } : { bom: '', body: text };
}
