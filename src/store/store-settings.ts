import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { resolveTrustedLinks } from '../fs/trusted-links.js';
import type { BackendOption } from '../lock/backends/select.js';
import { checkTimeout } from '../lock/options.js';
import { StoreInvalidArgumentError } from './errors.js';
import { checkSchema } from './schema.js';
import type { StoreFormat, StoreOptions } from './store.js';

// The checks `openStore` makes at once, apart from the store itself: the facade (store-lazy.ts) makes them
// before the store's code is loaded, and the store is then built from what they settled.

/** What `openStore` settled from its arguments: the file, its format and the checked options. */
export interface StoreSettings {
  /** The absolute path of the file (symlinks resolved). */
  path: string;
  format: StoreFormat;
  schema: StandardSchemaV1 | undefined;
  hasDefaults: boolean;
  /** A private copy of the caller's defaults. */
  defaults: unknown;
  durable: boolean;
  timeout: number | undefined;
  lockfilePath: string | undefined;
  backend: BackendOption | undefined;
  followSymlinks: boolean;
}

function formatOf(file: string, format: unknown): StoreFormat {
  if (format !== undefined) {
    if (format === 'json' || format === 'yaml') return format;
    throw new StoreInvalidArgumentError(`format must be 'json' or 'yaml', not ${String(format)}`);
  }
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  throw new StoreInvalidArgumentError(
    `cannot tell the format of ${file} from its extension; pass { format: 'json' } or { format: 'yaml' }`,
  );
}

/**
 * The real path of `file`, or of its folder when the file does not exist yet: one lock per real file.
 * Through a link that may not be followed, the path as given: its lock stays beside it, and reads and
 * writes refuse the link.
 */
function realPath(file: string, followSymlinks: boolean): string {
  const absolute = path.resolve(file);
  try {
    if (!followSymlinks) resolveTrustedLinks(absolute);
  } catch {
    return absolute;
  }
  try {
    return realpathSync(absolute);
  } catch {
    try {
      return path.join(realpathSync(path.dirname(absolute)), path.basename(absolute));
    } catch {
      return absolute;
    }
  }
}

/**
 * Check the arguments of `openStore` and settle its file and options.
 *
 * @throws {StoreInvalidArgumentError} `STORE_INVALID_ARGUMENT` as `openStore` documents.
 */
export function storeSettings<T>(file: string, options: StoreOptions<T>): StoreSettings {
  if (typeof file !== 'string' || file.length === 0 || file.includes('\0')) {
    throw new StoreInvalidArgumentError('path must be a non-empty string without NUL bytes');
  }
  if (typeof options !== 'object' || options === null) {
    throw new StoreInvalidArgumentError('options must be an object');
  }
  const followSymlinks = options.followSymlinks === true;
  const resolved = realPath(file, followSymlinks);
  const format = formatOf(resolved, options.format);
  const schema = checkSchema(options.schema);
  const hasDefaults = options.defaults !== undefined;
  // A private copy: later changes to the caller's object must not change the defaults.
  const defaults = options.defaults === undefined ? undefined : structuredClone(options.defaults);
  if (options.timeout !== undefined) {
    try {
      checkTimeout(options.timeout);
    } catch (error) {
      throw new StoreInvalidArgumentError((error as Error).message);
    }
  }
  return {
    path: resolved,
    format,
    schema,
    hasDefaults,
    defaults,
    durable: options.durable ?? true,
    timeout: options.timeout,
    lockfilePath: options.lockfilePath,
    backend: options.backend,
    followSymlinks,
  };
}
