import { LocksmithError, LocksmithFileError, refusedMessage } from '../errors.js';

/**
 * A store file is not valid JSON or YAML. The file was left exactly as it was: never replaced, never
 * reset to the defaults. `line` and `column` are 1-based.
 */
export class StoreParseError extends LocksmithFileError {
  static override readonly code = 'STORE_PARSE';
  override readonly code = StoreParseError.code;
  override readonly name = 'StoreParseError';
  readonly format: string;
  readonly line: number;
  readonly column: number;
  /** What is wrong there, without the location. */
  readonly reason: string;

  constructor(
    file: string,
    format: string,
    line: number,
    column: number,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(file, `${file}:${line}:${column}: invalid ${format.toUpperCase()}: ${reason}`, options);
    this.format = format;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** One problem found by a schema: where (a path of keys, empty for the root) and what. */
export interface StoreIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

function formatIssue(issue: StoreIssue): string {
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/**
 * A value does not satisfy the store's schema. `source` says which value: `'file'` (what the file holds;
 * the file was left untouched), `'defaults'`, or `'update'` (what the update function produced: nothing
 * was written). `issues` lists every problem the validator reported.
 */
export class StoreSchemaError extends LocksmithFileError {
  static override readonly code = 'STORE_SCHEMA';
  override readonly code = StoreSchemaError.code;
  override readonly name = 'StoreSchemaError';
  readonly source: 'file' | 'defaults' | 'update';
  readonly issues: readonly StoreIssue[];

  constructor(file: string, source: 'file' | 'defaults' | 'update', issues: readonly StoreIssue[]) {
    const what = { file: 'holds', defaults: 'has defaults', update: 'update would write' }[source];
    super(
      file,
      `${file} ${what} a value that does not match its schema:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`,
    );
    this.source = source;
    this.issues = issues;
  }
}

/** The store file does not exist and the store has no `defaults` to start from. */
export class StoreNotFoundError extends LocksmithFileError {
  static override readonly code = 'STORE_NOT_FOUND';
  override readonly code = StoreNotFoundError.code;
  override readonly name = 'StoreNotFoundError';

  constructor(file: string) {
    super(file, `${file} does not exist, and the store has no defaults to start from`);
  }
}

/** The store file cannot be read (it is a folder, permission denied...). The OS error is the `cause`. */
export class StoreIOError extends LocksmithFileError {
  static override readonly code = 'STORE_IO';
  override readonly code = StoreIOError.code;
  override readonly name = 'StoreIOError';

  constructor(file: string, operation: string, cause: unknown) {
    super(file, refusedMessage(operation, file, cause), { cause });
  }
}

/** `['meta', 'created']` → `meta.created`; the root is `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/**
 * A value cannot be written in the store's format so that it reads back the same: not plain data (a
 * `Date`, `Map`, `NaN`, a BigInt, `undefined` in an array, a class instance, a cycle), or a change the
 * file's layout cannot hold (a value reached through a YAML alias or merge key). `path` names the value
 * (`['meta', 'created']`) when there is one. Nothing was written.
 */
export class StoreSerializeError extends LocksmithFileError {
  static override readonly code = 'STORE_SERIALIZE';
  override readonly code = StoreSerializeError.code;
  override readonly name = 'StoreSerializeError';
  /** The keys leading to the value that cannot be written; `undefined` when the problem is not one value's. */
  readonly path: readonly (string | number)[] | undefined;

  constructor(
    file: string,
    format: string,
    reason: string,
    options?: ErrorOptions & { path?: readonly (string | number)[] },
  ) {
    const where = options?.path === undefined ? '' : `${formatPath(options.path)}: `;
    super(file, `Cannot write this value to ${file} as ${format.toUpperCase()}: ${where}${reason}`, options);
    this.path = options?.path;
  }
}

/**
 * A value is nested deeper than the store handles (`limit` levels of objects and arrays): in the file
 * (`line` and `column` say where; the file is left untouched), or in what an update would write (`path`
 * says where; nothing was written). Refused up front so that no parser runs out of stack.
 */
export class StoreTooDeepError extends LocksmithFileError {
  static override readonly code = 'STORE_TOO_DEEP';
  override readonly code = StoreTooDeepError.code;
  override readonly name = 'StoreTooDeepError';
  readonly limit: number;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly path: readonly (string | number)[] | undefined;

  constructor(
    file: string,
    limit: number,
    where: { line: number; column: number } | { path: readonly (string | number)[] },
  ) {
    const at =
      'line' in where
        ? `${file}:${where.line}:${where.column}: nested deeper than ${limit} levels`
        : `Cannot write this value to ${file}: ${formatPath(where.path.slice(0, 8))}${where.path.length > 8 ? '...' : ''} is nested deeper than ${limit} levels`;
    super(file, at);
    this.limit = limit;
    this.line = 'line' in where ? where.line : undefined;
    this.column = 'line' in where ? where.column : undefined;
    this.path = 'path' in where ? where.path : undefined;
  }
}

/** An argument of `openStore`, `update` or `transact` is unusable (unknown format, not a function, not a schema...). */
export class StoreInvalidArgumentError extends LocksmithError {
  static override readonly code = 'STORE_INVALID_ARGUMENT';
  override readonly code = StoreInvalidArgumentError.code;
  override readonly name = 'StoreInvalidArgumentError';
}
