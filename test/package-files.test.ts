// package.json `files` ships what users need (the build, the CLI, the documents the README sends them to)
// and nothing for contributors; every relative link in the README and in the shipped documents must
// resolve inside the package, so node_modules/locksmith/README.md has no dead links.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const root = path.join(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  files: string[];
  engines: { node: string };
};
/** npm always packs these, whatever `files` says. */
const ALWAYS = ['package.json', 'README.md', 'LICENSE'];
/** Documents for contributors: the README may point at them, the package leaves them out. */
const CONTRIBUTOR_DOCS = ['CONTRIBUTING.md', 'docs/architecture.md'];

function shipped(file: string): boolean {
  if (ALWAYS.includes(file)) return true;
  return pkg.files.some(
    (entry) => !entry.startsWith('!') && (file === entry || file.startsWith(`${entry}/`)),
  );
}

function relativeLinks(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
    .map((m) => m[1]!)
    .filter((link) => !/^[a-z]+:/i.test(link))
    .map((link) => path.posix.normalize(path.posix.join(path.posix.dirname(file), link)));
}

describe('package.json files', { timeout: 10_000 }, () => {
  it('ships every file the README and the shipped documents link to', () => {
    const documents = ['README.md', ...pkg.files.filter((f) => f.endsWith('.md'))];
    for (const document of documents) {
      for (const target of relativeLinks(document)) {
        if (/^(examples|scripts|test)\//.test(target) || CONTRIBUTOR_DOCS.includes(target)) {
          continue; // the repository's own code and contributor guides: read in the repository, not shipped
        }
        assert.ok(
          existsSync(path.join(root, target)),
          `${document} links to ${target}, which does not exist`,
        );
        assert.ok(shipped(target), `${document} links to ${target}, which package.json files leaves out`);
      }
    }
  });

  it('ships no contributor material', () => {
    for (const file of [...CONTRIBUTOR_DOCS, 'test/errors.test.ts', 'bench/run.js', 'model']) {
      assert.ok(!shipped(file), `${file} is for contributors`);
    }
  });

  it('engines asks for a Node with Symbol.asyncDispose (20.4), which every handle implements', () => {
    assert.equal(pkg.engines.node, '>=20.4');
    assert.equal(typeof Symbol.asyncDispose, 'symbol');
  });
});
