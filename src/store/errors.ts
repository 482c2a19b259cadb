import { causeCode, LocksmithError } from '../errors.js';

/**
 * A store file is not valid JSON or YAML. The file was left exactly as it was: never replaced, never
 * reset to the defaults. `line` and `column` are 1-based.
 */
export class StoreParseError extends LocksmithError {
  static override readonly code = 'STORE_PARSE';
  override name = 'StoreParseError';
  readonly file: string;
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
    super(`${file}:${line}:${column}: invalid ${format.toUpperCase()}: ${reason}`, options);
    this.file = file;
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
export class StoreSchemaError extends LocksmithError {
  static override readonly code = 'STORE_SCHEMA';
  override name = 'StoreSchemaError';
  readonly file: string;
  readonly source: 'file' | 'defaults' | 'update';
  readonly issues: readonly StoreIssue[];

  constructor(file: string, source: 'file' | 'defaults' | 'update', issues: readonly StoreIssue[]) {
    const what = { file: 'holds', defaults: 'has defaults', update: 'update would write' }[source];
    super(
      `${file} ${what} a value that does not match its schema:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`,
    );
    this.file = file;
    this.source = source;
    this.issues = issues;
  }
}

/** The store file does not exist and the store has no `defaults` to start from. */
export class StoreNotFoundError extends LocksmithError {
  static override readonly code = 'STORE_NOT_FOUND';
  override name = 'StoreNotFoundError';
  readonly file: string;

  constructor(file: string) {
    super(`${file} does not exist, and the store has no defaults to start from`);
    this.file = file;
  }
}

/** The store file cannot be read (it is a folder, permission denied...). The OS error is the `cause`. */
export class StoreIOError extends LocksmithError {
  static override readonly code = 'STORE_IO';
  override name = 'StoreIOError';
  readonly file: string;

  constructor(file: string, operation: string, cause: unknown) {
    const reason = causeCode(cause);
    super(`Cannot ${operation} ${file} (${reason})`, { cause });
    this.file = file;
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
export class StoreSerializeError extends LocksmithError {
  static override readonly code = 'STORE_SERIALIZE';
  override name = 'StoreSerializeError';
  readonly file: string;
  /** The keys leading to the value that cannot be written; `undefined` when the problem is not one value's. */
  readonly path: readonly (string | number)[] | undefined;

  constructor(
    file: string,
    format: string,
    reason: string,
    options?: ErrorOptions & { path?: readonly (string | number)[] },
  ) {
    const where = options?.path === undefined ? '' : `${formatPath(options.path)}: `;
    super(`Cannot write this value to ${file} as ${format.toUpperCase()}: ${where}${reason}`, options);
    this.file = file;
    this.path = options?.path;
  }
}

/**
 * A value is nested deeper than the store handles (`limit` levels of objects and arrays): in the file
 * (`line` and `column` say where; the file is left untouched), or in what an update would write (`path`
 * says where; nothing was written). Refused up front so that no parser runs out of stack.
 */
export class StoreTooDeepError extends LocksmithError {
  static override readonly code = 'STORE_TOO_DEEP';
  override name = 'StoreTooDeepError';
  readonly file: string;
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
    super(at);
    this.file = file;
    this.limit = limit;
    this.line = 'line' in where ? where.line : undefined;
    this.column = 'line' in where ? where.column : undefined;
    this.path = 'path' in where ? where.path : undefined;
  }
}

/** An argument of `openStore`, `update` or `transact` is unusable (unknown format, not a function, not a schema...). */
export class StoreInvalidArgumentError extends LocksmithError {
  static override readonly code = 'STORE_INVALID_ARGUMENT';
  override name = 'StoreInvalidArgumentError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
