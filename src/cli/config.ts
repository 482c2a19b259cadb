/**
 * `locksmith config get|set|unset`: read and change one value of a JSON or YAML file from the shell.
 * Every change is a store update: locked against other writers, validated, written atomically, and only
 * the changed value's bytes change. A corrupt file is an error with its line and column, left untouched.
 *
 * `configCommand` holds the whole command behind a parsed request (tested directly); `registerConfig`
 * is the command-line parsing around it.
 */
import { isDeepStrictEqual } from 'node:util';
import { type Command, InvalidArgumentError } from 'commander';
import { LocksmithError } from '../errors.js';
import type { Cli } from './context.js';
import { errorMessage, escapeControl, terminalJson } from './escape.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

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
  /** Follow a symbolic link to the file even in a folder others can write (see `StoreOptions.followSymlinks`). */
  followSymlinks?: boolean | undefined;
}

/** Where the command writes (a `Cli` satisfies it). */
export interface ConfigOutput {
  /** On a terminal (`isTTY`), control characters of a printed string are escaped. */
  stdout: { write(text: string): void; readonly isTTY?: boolean };
  stderr: { write(text: string): void };
}

/** A mistake in the request itself: a message and status 64 (or `status`). */
class ConfigUsageError extends Error {
  constructor(
    message: string,
    readonly status: number = EXIT.USAGE,
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

/** A value as `get` prints it: a string as it is (escaped on a terminal), the rest as JSON. */
function show(value: unknown, json: boolean, terminal: boolean): string {
  if (!json && typeof value === 'string') return `${terminal ? escapeControl(value) : value}\n`;
  return `${terminal ? terminalJson(value) : JSON.stringify(value, null, 2)}\n`;
}

function storeOptions(request: ConfigRequest) {
  return request.followSymlinks ? { followSymlinks: true } : {};
}

async function get(request: ConfigRequest, out: ConfigOutput): Promise<number> {
  const segments = request.key ? parseKeyPath(request.key) : [];
  const { openStore } = await import('../store/store.js');
  const value = await openStore<unknown>(request.file, storeOptions(request)).read();
  const result = lookup(value, segments);
  if (!result.found) {
    out.stderr.write(`locksmith: ${escapeControl(`${request.key} is not set in ${request.file}`)}\n`);
    return EXIT.CONFLICT;
  }
  out.stdout.write(show(result.value, request.json === true, out.stdout.isTTY === true));
  return EXIT.OK;
}

async function change(request: ConfigRequest, out: ConfigOutput): Promise<number> {
  if (!request.key) throw new ConfigUsageError(`error: config ${request.action} needs a <key>`);
  const segments = parseKeyPath(request.key);
  const last = segments.at(-1)!;
  const { openStore } = await import('../store/store.js');
  const store = openStore<unknown>(request.file, { defaults: {}, ...storeOptions(request) });
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
  if (!changed) {
    out.stderr.write(
      `locksmith: ${escapeControl(`${request.file} unchanged (${request.key} already so)`)}\n`,
    );
  }
  return EXIT.OK;
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
      out.stderr.write(`locksmith: ${errorMessage(error)}\n`);
      return error.status;
    }
    if (error instanceof LocksmithError) {
      out.stderr.write(`locksmith: ${errorMessage(error)}\n`);
      return exitCodeFor(error);
    }
    throw error;
  }
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError('expected a number of seconds >= 0, such as 10 or 0.5');
  }
  return seconds;
}

const CONFIG_HELP = `
Keys are dot-separated paths: server.port, feeds.0.url (a number indexes a list); write \\. for a dot
inside a key. The format comes from the extension: .json, .yaml or .yml.

Exit status:
  0   done (set/unset of a value that is already so changes nothing, and says so on stderr)
  1   get: the key is not set; set/unset: the -w timeout passed while another process held the file
  64  usage error: bad key, a key inside a value that is not an object, an unknown extension
  65  the file is not valid JSON/YAML, has a duplicate JSON key or several YAML documents, or nests
      deeper than 1000 levels (the message gives line and column; the file is left untouched); or the
      value cannot be written so that it reads back the same (nothing is written)
  66  get: the file does not exist
  73  the lock file's folder cannot be created or accessed
  74  the file cannot be read or written (permissions, a read-only folder), or it is a FIFO, socket or device
  77  the file is reached through a symbolic link another user made in a folder others can write
      (pass --follow-symlinks if you trust it)

On a terminal, control characters of a printed string are shown escaped (e, \n, \x07).

Examples:
  locksmith config get ~/.config/tool/feeds.yaml feeds.0.url
  locksmith config set settings.json server.port 8080       # 8080 is JSON: a number
  locksmith config set settings.json server.name '"8080"'   # a string that looks like JSON: quote it
  locksmith config set settings.json server.name example    # not JSON: the string "example"
  locksmith config set settings.json offset -- -1           # a value starting with "-": after "--"
  locksmith config unset settings.json server.port`;

/**
 * `locksmith config get <file> [key] [--json]`, `config set <file> <key> <value> [-w s]`,
 * `config unset <file> <key> [-w s]`.
 */
export function registerConfig(program: Command, cli: Cli): void {
  const config = program
    .command('config')
    .summary('get, set or unset a value of a JSON or YAML file, under its lock')
    .description(
      'Read or change one value of a JSON or YAML file. Every change is a locked read-modify-write with ' +
        'an atomic write, so concurrent `config set` calls (and programs using the locksmith store) never ' +
        "lose an update; only the changed value's bytes change (comments, layout, anchors are kept). A corrupt file is reported with its line and " +
        'column, and left untouched.',
    )
    .addHelpText('after', CONFIG_HELP);
  const timeoutOption = ['-w, --timeout <seconds>', 'give up after waiting this long for the lock'] as const;
  const followOption = [
    '--follow-symlinks',
    'follow a symbolic link to the file even when another user made it in a folder others can write',
  ] as const;

  config
    .command('get')
    .description(
      'print the value at <key> (the whole file without one): strings as they are, the rest as JSON',
    )
    .argument('<file>', 'the JSON or YAML file')
    .argument('[key]', 'dot-separated path of the value')
    .option('--json', 'print JSON, strings quoted')
    .option(...followOption)
    .action(
      async (file: string, key: string | undefined, options: { json?: true; followSymlinks?: true }) => {
        const followSymlinks = options.followSymlinks === true;
        cli.exitCode = await configCommand(
          { action: 'get', file, key, json: options.json === true, followSymlinks },
          cli,
        );
      },
    );
  config
    .command('set')
    .description('set <key> to <value>: parsed as JSON when it is valid JSON, else taken as a string')
    .argument('<file>', 'the JSON or YAML file (created when missing)')
    .argument('<key>', 'dot-separated path of the value (missing objects on the way are created)')
    .argument('<value>', 'the new value')
    .option(...timeoutOption, parseSeconds)
    .option(...followOption)
    .action(
      async (
        file: string,
        key: string,
        value: string,
        options: { timeout?: number; followSymlinks?: true },
      ) => {
        const timeout = options.timeout === undefined ? undefined : options.timeout * 1000;
        const followSymlinks = options.followSymlinks === true;
        cli.exitCode = await configCommand({ action: 'set', file, key, value, timeout, followSymlinks }, cli);
      },
    );
  config
    .command('unset')
    .description('remove <key> (a list item, when the last segment indexes a list)')
    .argument('<file>', 'the JSON or YAML file')
    .argument('<key>', 'dot-separated path of the value')
    .option(...timeoutOption, parseSeconds)
    .option(...followOption)
    .action(async (file: string, key: string, options: { timeout?: number; followSymlinks?: true }) => {
      const timeout = options.timeout === undefined ? undefined : options.timeout * 1000;
      const followSymlinks = options.followSymlinks === true;
      cli.exitCode = await configCommand({ action: 'unset', file, key, timeout, followSymlinks }, cli);
    });
}
