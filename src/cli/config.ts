/**
 * `locksmith config get|set|unset`: read and change one value of a JSON or YAML file from the shell.
 * Every change is a store update: locked against other writers, validated, written atomically; a YAML
 * file keeps its comments. A corrupt file is an error with its line and column, and is left untouched.
 *
 * `configCommand` holds the whole command behind a parsed request, so it is tested directly; the
 * command-line parsing around it lives with the other commands.
 */
import { isDeepStrictEqual } from 'node:util';
import { LocksmithError, openStore } from '../index.js';

/** A parsed `config` command line. */
export interface ConfigRequest {
  action: 'get' | 'set' | 'unset';
  file: string;
  /** Dot-separated (`a.b.0.c`; `\.` for a dot inside a key). Required for set and unset. */
  key?: string | undefined;
  /** For set: parsed as JSON when it is valid JSON, else taken as a string. */
  value?: string | undefined;
  /** For get: print JSON (strings quoted) instead of plain text. */
  json?: boolean | undefined;
  /** For set and unset: milliseconds to wait for the lock. Default: wait until it is free. */
  timeout?: number | undefined;
}

/** Where the command writes (a `Cli` of the CLI satisfies it). */
export interface ConfigOutput {
  stdout: { write(text: string): void };
  stderr: { write(text: string): void };
}

/** The statuses of `config`, beyond the shared lock statuses (1 busy, 64 usage, 73 folder, 74 I/O). */
export const CONFIG_EXIT = {
  OK: 0,
  /** `get` of a key that is not set; or the lock stayed busy past `--timeout`. */
  NOT_SET: 1,
  USAGE: 64,
  /** The file is not valid JSON/YAML, or the change would break its schema. EX_DATAERR. */
  DATA: 65,
  /** `get` on a file that does not exist. EX_NOINPUT. */
  NO_INPUT: 66,
  UNSUPPORTED: 69,
  SOFTWARE: 70,
  DIRECTORY: 73,
  IO: 74,
} as const;

/** Exit status by the code of a library error. */
export const CONFIG_EXIT_BY_CODE: Record<string, number> = {
  LOCK_TIMEOUT: CONFIG_EXIT.NOT_SET,
  LOCK_INVALID_ARGUMENT: CONFIG_EXIT.USAGE,
  LOCK_UNSUPPORTED: CONFIG_EXIT.UNSUPPORTED,
  LOCK_DIRECTORY: CONFIG_EXIT.DIRECTORY,
  LOCK_IO: CONFIG_EXIT.IO,
  STORE_PARSE: CONFIG_EXIT.DATA,
  STORE_SCHEMA: CONFIG_EXIT.DATA,
  STORE_SERIALIZE: CONFIG_EXIT.DATA,
  STORE_NOT_FOUND: CONFIG_EXIT.NO_INPUT,
  STORE_IO: CONFIG_EXIT.IO,
  STORE_INVALID_ARGUMENT: CONFIG_EXIT.USAGE,
  ATOMIC_WRITE_FAILED: CONFIG_EXIT.IO,
  ATOMIC_WRITE_INVALID_ARGUMENT: CONFIG_EXIT.USAGE,
};

/** A mistake in the request itself: a message and status 64 (or `status`). */
class ConfigUsageError extends Error {
  constructor(
    message: string,
    readonly status: number = CONFIG_EXIT.USAGE,
  ) {
    super(message);
  }
}

// Keys that would reach Object.prototype through a plain object: never walked, never written.
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/** `a.b\.c.0` → `['a', 'b.c', '0']`. */
export function parseKeyPath(key: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < key.length; i++) {
    const char = key[i]!;
    if (char === '\\' && key[i + 1] === '.') {
      current += '.';
      i++;
    } else if (char === '.') {
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  segments.push(current);
  for (const segment of segments) {
    if (segment === '') throw new ConfigUsageError(`error: empty segment in key "${key}"`);
    if (FORBIDDEN.has(segment)) throw new ConfigUsageError(`error: "${segment}" cannot be used as a key`);
  }
  return segments;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

function arrayIndex(list: unknown[], segment: string, path: string, allowEnd: boolean): number {
  const index = /^\d+$/.test(segment) ? Number(segment) : Number.NaN;
  const limit = allowEnd ? list.length : list.length - 1;
  if (!(index <= limit)) {
    throw new ConfigUsageError(
      `error: ${path} is a list of ${list.length}; "${segment}" is not an index of it${allowEnd ? ` (0 to ${list.length})` : ''}`,
    );
  }
  return index;
}

function lookup(root: unknown, segments: string[]): { found: boolean; value?: unknown } {
  let node = root;
  for (const segment of segments) {
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(segment) || Number(segment) >= node.length) return { found: false };
      node = node[Number(segment)];
    } else if (isContainer(node) && Object.hasOwn(node, segment)) {
      node = (node as Record<string, unknown>)[segment];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: node };
}

/** Walk to the parent of the last segment, creating the objects missing on the way. */
function parentFor(root: unknown, segments: string[]): Record<string, unknown> | unknown[] | undefined {
  let node = root;
  for (const [i, segment] of segments.slice(0, -1).entries()) {
    const where = segments.slice(0, i + 1).join('.');
    if (!isContainer(node)) return undefined;
    if (Array.isArray(node)) {
      const index = arrayIndex(node, segment, segments.slice(0, i).join('.') || '(root)', false);
      node = node[index];
    } else {
      if (!Object.hasOwn(node, segment) || node[segment] === undefined) node[segment] = {};
      node = node[segment];
    }
    if (!isContainer(node)) {
      throw new ConfigUsageError(
        `error: ${where} is ${JSON.stringify(node)}, not an object: cannot set a key inside it`,
      );
    }
  }
  return isContainer(node) ? node : undefined;
}

/** `set`'s value: JSON when it parses as JSON (`42`, `true`, `[1]`, `"quoted"`), else the string itself. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function show(value: unknown, json: boolean): string {
  if (!json && typeof value === 'string') return `${value}\n`;
  return `${JSON.stringify(value, null, 2)}\n`;
}

async function get(request: ConfigRequest, out: ConfigOutput): Promise<number> {
  const value = await openStore<unknown>(request.file).read();
  const segments = request.key ? parseKeyPath(request.key) : [];
  const result = lookup(value, segments);
  if (!result.found) {
    out.stderr.write(`locksmith: ${request.key} is not set in ${request.file}\n`);
    return CONFIG_EXIT.NOT_SET;
  }
  out.stdout.write(show(result.value, request.json === true));
  return CONFIG_EXIT.OK;
}

async function change(request: ConfigRequest, out: ConfigOutput): Promise<number> {
  if (!request.key) throw new ConfigUsageError(`error: config ${request.action} needs a <key>`);
  const segments = parseKeyPath(request.key);
  const last = segments.at(-1)!;
  const store = openStore<unknown>(request.file, { defaults: {} });
  const options = request.timeout === undefined ? {} : { timeout: request.timeout };
  let changed = false;
  if (request.action === 'set') {
    if (request.value === undefined) throw new ConfigUsageError('error: config set needs a <value>');
    const value = parseValue(request.value);
    await store.update((draft) => {
      const parent = parentFor(draft, segments);
      if (!parent) {
        throw new ConfigUsageError(`error: ${request.file} holds ${JSON.stringify(draft)}, not an object`);
      }
      if (Array.isArray(parent)) {
        const index = arrayIndex(parent, last, segments.slice(0, -1).join('.'), true);
        changed = !isDeepStrictEqual(parent[index], value);
        parent[index] = value;
      } else {
        changed = !Object.hasOwn(parent, last) || !isDeepStrictEqual(parent[last], value);
        parent[last] = value;
      }
    }, options);
  } else {
    await store.update((draft) => {
      const { value: parent } = lookup(draft, segments.slice(0, -1));
      if (Array.isArray(parent)) {
        if (/^\d+$/.test(last) && Number(last) < parent.length) {
          parent.splice(Number(last), 1);
          changed = true;
        }
      } else if (isContainer(parent) && Object.hasOwn(parent, last)) {
        delete (parent as Record<string, unknown>)[last];
        changed = true;
      }
    }, options);
  }
  if (!changed) out.stderr.write(`locksmith: ${request.file} unchanged (${request.key} already so)\n`);
  return CONFIG_EXIT.OK;
}

/**
 * Run `config get|set|unset` for a parsed request, writing to `out`; resolves the exit status.
 * Never throws for a library error or a bad request: it prints `locksmith: <message>` and returns the status.
 */
export async function configCommand(request: ConfigRequest, out: ConfigOutput): Promise<number> {
  try {
    return request.action === 'get' ? await get(request, out) : await change(request, out);
  } catch (error) {
    if (error instanceof ConfigUsageError) {
      out.stderr.write(`locksmith: ${error.message}\n`);
      return error.status;
    }
    if (error instanceof LocksmithError) {
      out.stderr.write(`locksmith: ${error.message}\n`);
      return CONFIG_EXIT_BY_CODE[error.code] ?? CONFIG_EXIT.SOFTWARE;
    }
    throw error;
  }
}
