import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import type { StatusEntry } from '../../src/cli/status.js';
import { killChildrenAfter } from '../helpers/children.js';
import { captureCli, missing, runCli, start, startCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

killChildrenAfter();
const dir = tempDir('locksmith-cli-status-');
const flockMissing = await missing('flock');

describe('locksmith status', { timeout: 60_000 }, () => {
  it('shows the pid, host, command and start of the `run` that holds a lock', async () => {
    const [a, b, c] = ['a.md', 'b.md', 'c.md'].map((name) => path.join(dir, name)) as [
      string,
      string,
      string,
    ];
    const before = Date.now();
    const holder = startCli(['run', a, b, '--', 'sh', '-c', 'echo ready; read line']);
    await holder.output('ready');

    const result = await runCli(['status', '--json', a, b, c]);
    assert.equal(result.code, 0, result.stderr);
    const entries = JSON.parse(result.stdout) as StatusEntry[];
    assert.deepEqual(
      entries.map((e) => [e.path, e.lockfile, e.locked]),
      [
        [a, `${a}.lock`, true],
        [b, `${b}.lock`, true],
        [c, `${c}.lock`, false],
      ],
    );
    for (const entry of entries.slice(0, 2)) {
      assert.equal(entry.holder?.pid, holder.pid);
      assert.equal(entry.holder?.hostname, os.hostname());
      assert.match(entry.holder?.command ?? '', / run .*a\.md .*-- sh -c/);
      assert.ok(Date.parse(entry.holder?.since ?? '') >= before - 1000);
    }
    assert.equal(entries[2]?.holder, undefined);
    assert.deepEqual(Object.keys(entries[0]!).sort(), ['holder', 'locked', 'lockfile', 'path']);

    const human = captureCli();
    assert.equal(await main(['status', a, c], human), 0);
    assert.match(
      human.out,
      new RegExp(
        `^.*a\\.md: locked \\(exclusive\\), held by pid ${holder.pid} \\(.*\\) on ${os.hostname()} since \\d\\d:\\d\\d:\\d\\d \\(\\d+s\\)$`,
        'm',
      ),
    );
    assert.match(human.out, /c\.md: free$/m);

    holder.write('done\n');
    assert.equal((await holder.exited).code, 0);
    const after = captureCli();
    assert.equal(await main(['status', '--json', a, b], after), 0);
    assert.deepEqual(
      (JSON.parse(after.out) as StatusEntry[]).map((e) => e.locked),
      [false, false],
    );
  });

  it('--lockfile shows a lock held by util-linux flock: locked, named by the kernel, no time', {
    skip: flockMissing,
  }, async () => {
    const lockfile = path.join(dir, 'flock.lck');
    const holder = start(['flock', '-o', lockfile, 'sh', '-c', 'echo ready; read line']);
    await holder.output('ready');
    const json = captureCli();
    assert.equal(await main(['status', '--json', '--lockfile', lockfile], json), 0);
    const [entry] = JSON.parse(json.out) as StatusEntry[];
    assert.deepEqual(entry, {
      path: lockfile,
      lockfile,
      locked: true,
      holder: {
        pid: holder.pid,
        hostname: os.hostname(),
        command: `flock -o ${lockfile} sh -c echo ready; read line`,
      },
    });
    const human = captureCli();
    assert.equal(await main(['status', '--lockfile', lockfile], human), 0);
    assert.match(
      human.out,
      new RegExp(
        `flock\\.lck: locked \\(exclusive\\), held by pid ${holder.pid} \\(flock -o .*\\) on ${os.hostname()} \\(it recorded nothing: time unknown\\)$`,
        'm',
      ),
    );
    holder.write('done\n');
    await holder.exited;
  });

  it('colours only on a terminal, and not with NO_COLOR', async () => {
    const file = path.join(dir, 'colour.md');
    const terminal = captureCli({ tty: true });
    await main(['status', file], terminal);
    assert.ok(terminal.out.includes('\x1b[32mfree\x1b[39m'), terminal.out);
    const noColor = captureCli({ tty: true, env: { NO_COLOR: '1' } });
    await main(['status', file], noColor);
    assert.ok(!noColor.out.includes('\x1b['), noColor.out);
    const pipe = captureCli();
    await main(['status', file], pipe);
    assert.ok(!pipe.out.includes('\x1b['), pipe.out);
    assert.equal(pipe.out, `${file}: free\n`);
  });
});
