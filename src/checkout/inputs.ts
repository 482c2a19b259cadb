// Checks of the registry's inputs: owners, messages, extensions. Bad input is a typed error, never a guess.
import os from 'node:os';
import { ownHostname } from '../host.js';
import { CheckoutInvalidArgumentError } from './errors.js';

const MAX_TEXT = 1_000;
const MAX_OWNER = 200;

/**
 * `<os user>@<hostname>`: who checks out when no owner is given (`$USER` and friends when the user has
 * no passwd entry, as in some containers).
 *
 * @example
 * defaultOwner(); // 'alice@cad-1'
 */
export function defaultOwner(): string {
  let user: string | undefined;
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers).
    user = process.env.USER ?? process.env.USERNAME ?? process.env.LOGNAME;
  }
  return `${user || `uid-${process.getuid?.() ?? 'unknown'}`}@${ownHostname()}`;
}

export function checkOwner(value: unknown, what: string): string {
  if (value === undefined) return defaultOwner();
  if (typeof value !== 'string' || value.trim() === '') {
    throw new CheckoutInvalidArgumentError(`${what} must be a non-empty string`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (value.length > MAX_OWNER || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new CheckoutInvalidArgumentError(
      `${what} must be at most ${MAX_OWNER} characters, without control characters`,
    );
  }
  return value;
}

export function checkText(value: unknown, what: string, required: boolean): string {
  if (value === undefined && !required) return '';
  if (typeof value !== 'string' || (required && value.trim() === '')) {
    throw new CheckoutInvalidArgumentError(`${what} must be a${required ? ' non-empty' : ''} string`);
  }
  if (value.length > MAX_TEXT) {
    throw new CheckoutInvalidArgumentError(`${what} must be at most ${MAX_TEXT} characters`);
  }
  return value;
}

export function normalizeExtension(extension: unknown): string | undefined {
  if (extension === undefined) return undefined;
  if (typeof extension !== 'string' || extension.replace(/^\./, '') === '') {
    throw new CheckoutInvalidArgumentError('extension must be a non-empty string such as ".mcam"');
  }
  return (extension.startsWith('.') ? extension : `.${extension}`).toLowerCase();
}
