// An asynchronous backend can answer with a grant after the caller aborted: the core must give it back
// and reject with signal.reason. The backend here is scripted (it answers when the test says so), because
// that interleaving cannot be produced on purpose with a real server.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Backend, BackendGrant } from '../../src/backend.js';
import { lock } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';

function scriptedBackend() {
  const answers: ((grant: BackendGrant | undefined) => void)[] = [];
  let releases = 0;
  const grant: BackendGrant = {
    release: () => {
      releases++;
    },
    watchLoss: () => () => {},
  };
  const backend: Backend = {
    name: 'scripted',
    supportsShared: false,
    tryAcquire: () => new Promise((resolve) => answers.push(resolve)),
    inspect: () => ({ locked: false }),
  };
  return {
    backend,
    grant,
    releases: () => releases,
    /** Resolves with the answer function of the next attempt, once the core has made it. */
    async attempt(): Promise<(grant: BackendGrant | undefined) => void> {
      while (answers.length === 0) await new Promise((resolve) => setImmediate(resolve));
      return answers.shift()!;
    },
  };
}

describe('abort while an asynchronous backend answers', { timeout: 10_000 }, () => {
  const dir = tempDir();

  it('a grant that arrives after the abort is released, and the call rejects with the reason', async () => {
    const scripted = scriptedBackend();
    const controller = new AbortController();
    const call = lock(path.join(dir, 'first'), { backend: scripted.backend, signal: controller.signal });
    const answer = await scripted.attempt();
    const reason = new Error('changed my mind');
    controller.abort(reason);
    answer(scripted.grant);
    await assert.rejects(call, (e) => e === reason);
    assert.equal(scripted.releases(), 1);
  });

  it('the same on a retry of a waiting call', async () => {
    const scripted = scriptedBackend();
    const controller = new AbortController();
    const call = lock(path.join(dir, 'retry'), { backend: scripted.backend, signal: controller.signal });
    (await scripted.attempt())(undefined); // busy: the call waits and retries
    const answer = await scripted.attempt();
    const reason = new Error('stop');
    controller.abort(reason);
    answer(scripted.grant);
    await assert.rejects(call, (e) => e === reason);
    assert.equal(scripted.releases(), 1);
  });
});
