import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorMessage, escapeControl, escapeLines, terminalJson } from '../../src/cli/escape.js';
import { StoreSchemaError } from '../../src/index.js';

describe('escaping text for the terminal', { timeout: 10_000 }, () => {
  it('shows every control character, DEL, C1 control and reordering mark as an escape', () => {
    assert.equal(escapeControl('a\x1b]0;t\x07b'), 'a\\e]0;t\\x07b');
    assert.equal(escapeControl('x\ny\rz\t.'), 'x\\ny\\rz\\t.');
    assert.equal(escapeControl('\x00\x7f\x9b\u202e\u2066'), '\\x00\\x7f\\x9b\\u{202e}\\u{2066}');
    assert.equal(escapeControl('plain, café, 日本'), 'plain, café, 日本');
    assert.equal(escapeLines('a\nb\x1b'), 'a\nb\\e');
  });

  it('JSON for a terminal: the same value, with C1 controls and marks escaped too', () => {
    const value = { m: 'a\x1b\x9b\u202eb' };
    const text = terminalJson(value);
    for (const char of ['\x1b', '\x9b', '\u202e']) assert.equal(text.includes(char), false);
    assert.deepEqual(JSON.parse(text), value);
  });

  it('an error message is one escaped line; a schema error keeps one issue per line, each escaped', () => {
    assert.equal(errorMessage(new Error('held by x\n\x1b[2Jfake line')), 'held by x\\n\\e[2Jfake line');
    const error = new StoreSchemaError('/x/a.json', 'file', [
      { path: ['key\nlocksmith: done'], message: 'expected\x1b a number' },
      { path: [], message: 'bad' },
    ]);
    assert.equal(
      errorMessage(error),
      '/x/a.json holds a value that does not match its schema:\n  - key\\nlocksmith: done: expected\\e a number\n  - (root): bad',
    );
  });
});
