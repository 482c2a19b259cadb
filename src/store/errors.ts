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
  const where = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
  return `${where}: ${issue.message}`;
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

/** A value cannot be written in the store's format (a BigInt or a cycle in JSON, `undefined` at the root...). Nothing was written. */
export class StoreSerializeError extends LocksmithError {
  static override readonly code = 'STORE_SERIALIZE';
  override name = 'StoreSerializeError';
  readonly file: string;

  constructor(file: string, format: string, reason: string, options?: ErrorOptions) {
    super(`Cannot write this value to ${file} as ${format.toUpperCase()}: ${reason}`, options);
    this.file = file;
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
