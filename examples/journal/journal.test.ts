// Story 5: two journals must not edit the same files at once. Real processes: the journal script runs
// `locksmith run`, which runs a scripted editor.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { killChildrenAfter } from '../../test/helpers/children.js';
import { LOCKSMITH, type Running, start } from '../../test/helpers/cli.js';
import { tempDir } from '../../test/helpers/tmp.js';

killChildrenAfter();
const here = path.dirname(fileURLToPath(import.meta.url));
const dir = tempDir('locksmith-journal-');
const env = {
  JOURNAL_DIR: dir,
  EDITOR: `${process.execPath} ${path.join(here, 'scripted-editor.mjs')}`,
  LOCKSMITH: LOCKSMITH.join(' '),
  JOURNAL_LOCKED: undefined,
};
const journal = (): Running => start([path.join(here, 'journal.sh')], { env });

/** Start a journal and wait until its editor has the files open. */
async function editing(): Promise<Running> {
  const session = journal();
  await session.output('editing');
  return session;
}

describe('examples/journal (story 5)', { timeout: 90_000 }, () => {
  it('a second journal fails fast naming the first; after the first exits, it gets in', async () => {
    const first = await editing();
    const [today, retro] = first.stdout.trim().split(' ').slice(1);
    assert.equal(path.dirname(today!), dir);
    assert.equal(retro, path.join(dir, 'retrospective.md'));

    const second = await journal().exited;
    assert.equal(second.code, 1, second.stderr);
    assert.equal(second.stdout, '', 'its editor never started');
    assert.match(
      second.stderr,
      new RegExp(
        `^locksmith: Lock ${dir}/\\S+\\.md\\.lock is busy: held by pid ${first.pid} \\(.*journal\\.sh`,
        'm',
      ),
    );

    first.write('quit\n');
    assert.equal((await first.exited).code, 0);
    const third = await editing();
    third.write('quit\n');
    assert.equal((await third.exited).code, 0);
    // Two sessions edited, one after the other; the refused one never touched the files.
    assert.equal(readFileSync(today!, 'utf8').match(/^edited by/gm)?.length, 2);
    assert.equal(readFileSync(retro!, 'utf8').match(/^edited by/gm)?.length, 2);
  });

  it('a SIGKILLed journal leaves nothing locked', async () => {
    const first = await editing();
    first.kill('SIGKILL');
    // Its editor lives on, orphaned, until it reads end-of-file: Node closes the stdin pipe it shares
    // when the killed process exits. The locks were locksmith's, and went with it.
    await first.exited.catch(() => {});
    const next = await editing();
    next.write('quit\n');
    assert.equal((await next.exited).code, 0);
  });
});
