/**
 * Text that came from files or other processes (a check-out message, a lock holder's host name or
 * command line, a value of a config file, an error message quoting them) is printed through these, so
 * that nobody can write to another user's terminal through locksmith: escape sequences could recolour,
 * retitle, rewrite or hide what the terminal shows, or (in some terminals) answer back as typed input.
 */

// C0 controls, DEL, C1 controls (0x9b is CSI in some terminals), and the marks that reorder or hide
// text (bidirectional overrides and isolates, left-to-right and right-to-left marks).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_NEWLINE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the same, newlines excepted.
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * `text` with every control character shown as an escape (`\e`, `\n`, `\x07`, `\u{202e}`): one line,
 * safe to print on a terminal.
 *
 * @example
 * escapeControl('fixing\x1b]0;pwned\x07'); // 'fixing\\e]0;pwned\\x07'
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, visible);
}

/** {@link escapeControl}, keeping newlines: for messages of several lines (a schema's issues). */
export function escapeLines(text: string): string {
  return text.replace(CONTROL_BUT_NEWLINE, visible);
}

/**
 * `JSON.stringify(value, null, 2)` safe for a terminal: JSON already escapes C0 controls; DEL, the C1
 * controls and the reordering marks are escaped too (`\u009b`), which leaves the JSON the same value.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * An error's message for the terminal: on one line, escaped, except a schema error, whose issues go one
 * per line (each escaped: a key or a message from the file cannot start a line of its own).
 */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return escapeControl(String(error));
  const { code, issues } = error as { code?: unknown; issues?: unknown };
  const newline = error.message.indexOf('\n');
  if (code !== 'STORE_SCHEMA' || !Array.isArray(issues) || newline === -1)
    return escapeControl(error.message);
  const lines = (issues as { path?: readonly PropertyKey[]; message?: unknown }[]).map((issue) => {
    const where = issue.path?.length ? issue.path.map(String).join('.') : '(root)';
    return `  - ${escapeControl(`${where}: ${String(issue.message)}`)}`;
  });
  return [escapeControl(error.message.slice(0, newline)), ...lines].join('\n');
}
