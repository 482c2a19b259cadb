import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as api from '../src/index.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const documentedCodes = new Set(
  [...doc.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|\s*`(\w+)`\s*\|/gm)].map((m) => m[1]),
);
const documentedClasses = new Map(
  [...doc.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|\s*`(\w+)`\s*\|/gm)].map((m) => [m[2], m[1]]),
);

const errorClasses = Object.entries(api).filter(
  ([, value]) => typeof value === 'function' && value.prototype instanceof api.LocksmithError,
) as [string, typeof api.LocksmithError][];

describe('the error family and docs/errors.md', { timeout: 10_000 }, () => {
  it('exports error classes', () => {
    assert.ok(errorClasses.length >= 6);
  });

  for (const [name, cls] of errorClasses) {
    it(`${name} is documented with its code ${cls.code}`, () => {
      assert.equal(documentedClasses.get(name), cls.code);
    });
  }

  it('documents no code that the code does not have', () => {
    const codes = new Set<string | undefined>(errorClasses.map(([, cls]) => cls.code));
    assert.deepEqual(
      [...documentedCodes].filter((c) => !codes.has(c)),
      [],
    );
  });

  it('codes are unique and SCREAMING_SNAKE', () => {
    const codes = errorClasses.map(([, cls]) => cls.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.match(code, /^[A-Z]+(_[A-Z0-9]+)+$/);
  });

  it('instances carry the class code and name', () => {
    const error = new api.LockUnsupportedError('nope');
    assert.equal(error.code, 'LOCK_UNSUPPORTED');
    assert.equal(error.name, 'LockUnsupportedError');
    assert.ok(error instanceof api.LocksmithError);
  });
});

describe('codes users can switch on', { timeout: 10_000 }, () => {
  it('LOCKSMITH_ERROR_CODES lists exactly the codes of the exported classes', () => {
    const codes = errorClasses.map(([, cls]) => cls.code).sort();
    assert.deepEqual([...api.LOCKSMITH_ERROR_CODES].sort(), codes);
  });

  it('every code follows one scheme: <FAMILY>_<CONDITION>, one family per part of locksmith', () => {
    const families = /^(LOCK|ATOMIC_WRITE|STORE|FILE|CHECKOUT|WEB_LOCKS|POSTGRES)_[A-Z][A-Z_]*$/;
    for (const code of api.LOCKSMITH_ERROR_CODES) assert.match(code, families);
    // A condition shared by families has one name: no `_FAILED`, `_INVALID`, `_ERROR` variants.
    for (const code of api.LOCKSMITH_ERROR_CODES)
      assert.doesNotMatch(code, /_(FAILED|INVALID|ERROR|BAD_ARGUMENT)$/);
  });

  it('each class fixes its own name and code on its instances', () => {
    for (const [name, cls] of errorClasses) {
      assert.equal(cls.name, name);
      // No constructor that only calls super: a class either adds fields or has no constructor.
      const source = cls.toString();
      assert.doesNotMatch(source, /constructor\(([^)]*)\)\s*\{\s*super\(\1\);?\s*\}/, name);
      const instance = Object.create(cls.prototype) as api.LocksmithError;
      assert.equal(instance instanceof api.LocksmithError, true);
    }
  });

  it('errors that name a file name it as `file`, keeping the old property as an alias', () => {
    const samples: [api.LocksmithError & { file: string }, string | undefined][] = [
      [
        new api.LockTimeoutError('/x.lock', 5, undefined),
        new api.LockTimeoutError('/x.lock', 5, undefined).lockfilePath,
      ],
      [
        new api.LockIOError('/x.lock', 'open', new Error('e')),
        new api.LockIOError('/x.lock', 'open', 1).lockfilePath,
      ],
      [
        new api.LockCompromisedError('/x.lock', 'gone'),
        new api.LockCompromisedError('/x.lock', 'gone').lockfilePath,
      ],
      [
        new api.LockDirectoryError('/x.lock', 'EACCES'),
        new api.LockDirectoryError('/x.lock', 'EACCES').directory,
      ],
      [
        new api.AtomicWriteError('/x.lock', 'rename', 'EIO'),
        new api.AtomicWriteError('/x.lock', 'rename', 'EIO').path,
      ],
      [new api.NotRegularFileError('/x.lock', 'FIFO'), new api.NotRegularFileError('/x.lock', 'FIFO').path],
      [
        new api.UnsafeFileError('/x.lock', 'owner', 'd'),
        new api.UnsafeFileError('/x.lock', 'owner', 'd').path,
      ],
      [
        new api.CheckoutIOError('/x.lock', 'read', 'EIO'),
        new api.CheckoutIOError('/x.lock', 'read', 'EIO').path,
      ],
      [new api.StoreIOError('/x.lock', 'read', 'EIO'), undefined],
    ];
    for (const [error, alias] of samples) {
      assert.equal(error.file, '/x.lock', error.name);
      if (alias !== undefined) assert.equal(alias, '/x.lock', error.name);
    }
  });

  it('code is typed by the union of codes, and the code and name are literals', () => {
    const error: api.LocksmithError = new api.StoreNotFoundError('/a.json');
    const code: api.LocksmithErrorCode = error.code;
    assert.equal(code, 'STORE_NOT_FOUND');
    const timeout = new api.LockTimeoutError('/a', 1, undefined);
    // The emitted type of `code` and `name` is the literal: this line would not compile with `string`.
    const literal: { code: 'LOCK_TIMEOUT'; name: 'LockTimeoutError' } = timeout;
    assert.equal(literal.name, 'LockTimeoutError');
  });
});
