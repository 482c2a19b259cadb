import type { TestContext } from 'node:test';

/** Set an environment variable for the rest of test `t`; what it was is restored after the test. */
export function setEnv(t: TestContext, name: string, value: string): void {
  const saved = process.env[name];
  process.env[name] = value;
  t.after(() => {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  });
}
