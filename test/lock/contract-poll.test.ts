// The lock contract again, for the kernel backend with LOCKSMITH_WAIT=poll: the polling waits that macOS
// and Windows use (the core's capped backoff, woken by the lock file's changes), which Linux otherwise
// never runs because it waits in the ticket queue. A child process, so the variable holds from import on
// and for every child the contract forks; killed after, and bounded by its own timeout.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CONTRACT = fileURLToPath(new URL('./contract.test.ts', import.meta.url));

/** This environment with poll waits, minus the runner's marker (a child that has it runs no tests). */
function pollEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOCKSMITH_WAIT: 'poll',
    LOCKSMITH_CONTRACT_BACKEND: 'kernel',
  };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

describe('lock contract with LOCKSMITH_WAIT=poll', { timeout: 300_000 }, () => {
  let child: ChildProcess | undefined;
  after(() => {
    child?.kill('SIGKILL');
  });

  it('passes for the kernel backend', async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-timeout=240000', CONTRACT],
      {
        env: pollEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      out += chunk;
    });
    const [code] = await once(child, 'exit');
    const tail = out.slice(-4000);
    assert.equal(code, 0, tail);
    assert.match(out, /lock contract: kernel backend \(poll waits\)/, tail);
    assert.doesNotMatch(out, /lock contract: (lease|postgres)/, 'only the kernel backend runs');
    const passed = Number(/^# pass (\d+)/m.exec(out)?.[1]);
    assert.ok(passed >= 10, `the contract ran: ${passed} passed\n${tail}`);
  });
});
