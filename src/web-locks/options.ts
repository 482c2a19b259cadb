/** `'exclusive'` (the default): one holder. `'shared'`: any number of shared holders, no exclusive one. */
export type WebLockMode = 'exclusive' | 'shared';

/** What the callback of `request` receives: the name and mode it holds, or `null` (`ifAvailable`, busy). */
export interface WebLockInfo {
  name: string;
  mode: WebLockMode;
}

/** The spec's `LockOptions` dictionary. Every member is optional. */
export interface WebLockOptions {
  /** Default `'exclusive'`. */
  mode?: WebLockMode;
  /** Call back with `null` at once instead of waiting when the lock cannot be granted now. */
  ifAvailable?: boolean;
  /** Take the lock from its holders (they are told with an `AbortError`) and go first. Exclusive only. */
  steal?: boolean;
  /** Aborting it while the request waits rejects the request with `signal.reason`; ignored once granted. */
  signal?: AbortSignal;
}

/** A validated `request()` call. */
export interface ParsedRequest<T> {
  name: string;
  mode: WebLockMode;
  ifAvailable: boolean;
  steal: boolean;
  signal: AbortSignal | undefined;
  callback: (lock: WebLockInfo | null) => T | PromiseLike<T>;
}

function notSupported(message: string): DOMException {
  return new DOMException(message, 'NotSupportedError');
}

/** WebIDL's DOMString conversion: anything but a Symbol becomes a string. */
function toName(value: unknown): string {
  if (typeof value === 'symbol') throw new TypeError('The lock name cannot be a Symbol');
  return String(value);
}

/**
 * The argument checks of `request(name, [options], callback)`, in the order the spec makes them, so that
 * the same bad call fails the same way here as in a browser: first WebIDL's conversions (TypeError), then
 * the spec's NotSupportedError cases, then an already aborted signal (its reason).
 */
export function parseRequest<T>(name: unknown, optionsOrCallback: unknown, maybeCallback: unknown) {
  const twoArguments = maybeCallback === undefined && typeof optionsOrCallback === 'function';
  const callback = twoArguments ? optionsOrCallback : maybeCallback;
  const rawOptions = twoArguments ? undefined : optionsOrCallback;
  const lockName = toName(name);
  if (rawOptions !== undefined && rawOptions !== null && typeof rawOptions !== 'object') {
    throw new TypeError('The options of request() must be an object');
  }
  const options = (rawOptions ?? {}) as Record<string, unknown>;
  const mode = options.mode === undefined ? 'exclusive' : options.mode;
  if (mode !== 'exclusive' && mode !== 'shared') {
    throw new TypeError(`mode must be "exclusive" or "shared", not ${JSON.stringify(String(mode))}`);
  }
  const ifAvailable = Boolean(options.ifAvailable);
  const steal = Boolean(options.steal);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError('options.signal must be an AbortSignal');
  }
  if (typeof callback !== 'function') throw new TypeError('The callback of request() must be a function');

  if (lockName.startsWith('-')) throw notSupported('Lock names starting with "-" are reserved');
  if (steal && ifAvailable) throw notSupported('steal and ifAvailable cannot be used together');
  if (steal && mode !== 'exclusive') throw notSupported('steal can only be used with mode "exclusive"');
  if (signal && (steal || ifAvailable)) {
    throw notSupported('signal cannot be used with steal or ifAvailable');
  }
  signal?.throwIfAborted();
  const parsed: ParsedRequest<T> = {
    name: lockName,
    mode,
    ifAvailable,
    steal,
    signal,
    callback: callback as ParsedRequest<T>['callback'],
  };
  return parsed;
}
