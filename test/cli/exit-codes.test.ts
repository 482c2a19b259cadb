// Every code of the error family has its own CLI exit status: none falls to 70, which means "a bug".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT, EXIT_HELP, exitCodeFor } from '../../src/cli/exit-codes.js';
import * as api from '../../src/index.js';

const classes = Object.values(api).filter(
  (value): value is typeof api.LocksmithError =>
    typeof value === 'function' && value.prototype instanceof api.LocksmithError,
);

/** An instance of the class without running its constructor (whose arguments differ by class). */
function instanceOf(cls: typeof api.LocksmithError): api.LocksmithError {
  const error = Object.create(cls.prototype) as api.LocksmithError;
  Object.defineProperty(error, 'code', { value: cls.code });
  return error;
}

describe('CLI exit statuses', { timeout: 10_000 }, () => {
  it('every exported code has an exit status other than 70', () => {
    assert.ok(classes.length >= api.LOCKSMITH_ERROR_CODES.length);
    for (const code of api.LOCKSMITH_ERROR_CODES) {
      const cls = classes.find((c) => c.code === code);
      assert.ok(cls, `no exported class has ${code}`);
      assert.notEqual(exitCodeFor(instanceOf(cls)), EXIT.SOFTWARE, code);
    }
  });

  it('the statuses that were missing: a lost lock, Web Locks, PostgreSQL', () => {
    assert.equal(exitCodeFor(new api.LockCompromisedError('/a.lock', 'removed')), EXIT.TEMP_FAIL);
    assert.equal(exitCodeFor(new api.WebLocksRegistryError('/r', 'cannot be read')), EXIT.IO);
    assert.equal(exitCodeFor(new api.PostgresConnectionError('refused')), EXIT.UNSUPPORTED);
    assert.match(EXIT_HELP, /^ {2}75 /m);
  });

  it('what is not a locksmith error is a bug (70)', () => {
    assert.equal(exitCodeFor(new Error('x')), EXIT.SOFTWARE);
  });
});
