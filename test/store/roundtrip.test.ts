// Issue 18, item 2: the store's round-trip suite. Real-world files, where an update of one key changes only
// that key's bytes (a diff of before and after is one hunk); and property-based tests (fast-check): random
// updates of random documents read back as set, and leave the bytes around the changed value alone.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { parseDocument, stringify as yamlStringify } from 'yaml';
import { openStore, StoreParseError } from '../../src/index.js';
import { jsonCodec } from '../../src/store/codecs/json.js';
import { yamlCodec } from '../../src/store/codecs/yaml.js';
import { caseFolders } from '../helpers/tmp.js';

const fresh = caseFolders();
const CORPUS = new URL('./corpus/', import.meta.url);

/** The hunks of a line diff (longest common subsequence): each as the lines it removes and adds. */
function hunks(before: string, after: string): { removed: string[]; added: string[] }[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: { removed: string[]; added: string[] }[] = [];
  let current: { removed: string[]; added: string[] } | undefined;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      current = undefined;
      i++;
      j++;
      continue;
    }
    if (!current) {
      current = { removed: [], added: [] };
      out.push(current);
    }
    if (j >= b.length || (i < a.length && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) current.removed.push(a[i++]!);
    else current.added.push(b[j++]!);
  }
  return out;
}

async function updateCopy<T>(
  name: string,
  fn: (draft: T) => void,
): Promise<{ before: string; after: string }> {
  const file = path.join(fresh(), name);
  copyFileSync(new URL(name, CORPUS), file);
  const before = readFileSync(file, 'utf8');
  await openStore<T>(file).update(fn);
  return { before, after: readFileSync(file, 'utf8') };
}

// biome-ignore lint/suspicious/noExplicitAny: the corpus files are untyped documents.
type Doc = any;

describe('the round-trip corpus: one key updated, one hunk changed', { timeout: 60_000 }, () => {
  const cases: [string, string, (d: Doc) => void, string[], string[]][] = [
    [
      'package.json',
      'version',
      (d) => {
        d.version = '1.4.3';
      },
      ['  "version": "1.4.2",'],
      ['  "version": "1.4.3",'],
    ],
    [
      'package.json',
      'a new script',
      (d) => {
        d.scripts.format = 'biome format --write .';
      },
      ['    "lint": "biome check ."'],
      ['    "lint": "biome check .",', '    "format": "biome format --write ."'],
    ],
    [
      'package.json',
      'an inline list',
      (d) => void d.keywords.push('acme'),
      ['  "keywords": ["widgets", "dashboard"],'],
      ['  "keywords": ["widgets", "dashboard", "acme"],'],
    ],
    [
      'tsconfig.json',
      'target (tabs)',
      (d) => {
        d.compilerOptions.target = 'ES2024';
      },
      ['\t\t"target": "ES2022",'],
      ['\t\t"target": "ES2024",'],
    ],
    [
      'docker-compose.yaml',
      'an image, single-quoted',
      (d) => {
        d.services.api.image = 'acme/api:2.4.0';
      },
      ["    image: 'acme/api:2.3.1'"],
      ["    image: 'acme/api:2.4.0'"],
    ],
    [
      'docker-compose.yaml',
      'a port in a block list',
      (d) => {
        d.services.web.ports[1] = '8443:443';
      },
      ['      - 443:443'],
      ['      - 8443:443'],
    ],
    [
      'docker-compose.yaml',
      'a value inside an anchored block, changed wherever a merge key (<<) shares it',
      (d) => {
        for (const where of [d['x-common'], d.services.web, d.services.api])
          where.logging.options['max-size'] = '20m';
      },
      ['      max-size: "10m"   # rotate early'],
      ['      max-size: "20m"   # rotate early'],
    ],
    [
      'docker-compose.yaml',
      'a key of a map that merges another',
      (d) => {
        d.services.api.environment.DATABASE_URL = 'postgres://db:5433/app';
      },
      ['      DATABASE_URL: postgres://db:5432/app'],
      ['      DATABASE_URL: postgres://db:5433/app'],
    ],
    [
      'workflow.yaml',
      'a flow list',
      (d) => void d.jobs.test.strategy.matrix.node.push(26),
      ['        node: [20, 22, 24]'],
      ['        node: [20, 22, 24, 26]'],
    ],
    [
      'workflow.yaml',
      'runs-on, next to aliased steps',
      (d) => {
        d.jobs.lint['runs-on'] = 'ubuntu-24.04';
      },
      ['    runs-on: ubuntu-latest'],
      ['    runs-on: ubuntu-24.04'],
    ],
    [
      'deployment.yaml',
      'replicas',
      (d) => {
        d.spec.replicas = 5;
      },
      ['  replicas: 3'],
      ['  replicas: 5'],
    ],
    [
      'deployment.yaml',
      'a key added to a flow map',
      (d) => {
        d.spec.template.spec.containers[0].resources.limits['ephemeral-storage'] = '1Gi';
      },
      ['            limits: {cpu: 500m, memory: 256Mi}'],
      ['            limits: {cpu: 500m, memory: 256Mi, "ephemeral-storage": "1Gi"}'],
    ],
  ];
  for (const [name, what, fn, removed, added] of cases) {
    it(`${name}: ${what}`, async () => {
      const { before, after } = await updateCopy<Doc>(name, fn);
      assert.deepEqual(hunks(before, after), [{ removed, added }]);
    });
  }

  it("minified.json: only the changed value's bytes change", async () => {
    const { before, after } = await updateCopy<Doc>('minified.json', (d) => {
      d.meta.nested.deep.flag = true;
    });
    assert.equal(after, before.replace('"flag":false', '"flag":true'));
  });

  it('docker-compose.yaml: an anchored value changed in one place only is written out where it stays', async () => {
    const { before, after } = await updateCopy<Doc>('docker-compose.yaml', (d) => {
      d['x-common'].logging.options['max-size'] = '20m';
    });
    // The anchor changes; web and api, which merge it, keep 10m: their logging is written out as their own.
    const value = (await import('yaml')).parse(after, { merge: true });
    assert.equal(value['x-common'].logging.options['max-size'], '20m');
    assert.equal(value.services.web.logging.options['max-size'], '10m');
    assert.equal(value.services.api.logging.options['max-size'], '10m');
    assert.equal(hunks(before, after).length, 3);
  });

  it('manifests.yaml: several documents are refused at read, and the file is left as it was', async () => {
    const file = path.join(fresh(), 'manifests.yaml');
    copyFileSync(new URL('manifests.yaml', CORPUS), file);
    const before = readFileSync(file, 'utf8');
    await assert.rejects(
      openStore<Doc>(file).update((d) => {
        d.kind = 'Secret';
      }),
      (e: unknown) =>
        e instanceof StoreParseError && e.line === 5 && /more than one YAML document/.test(e.message),
    );
    assert.equal(readFileSync(file, 'utf8'), before);
  });
});

// ---- property-based ----

const FILE = '/x/doc';
const key = fc.oneof(
  fc.constantFrom('a', 'b', '1', '01', 'true', 'null', '~', '-', 'a b', 'a: b', '#x', "it's", '"q"', '', 'é'),
  fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }),
);
const scalar = fc.oneof(
  fc.string({ maxLength: 12, unit: 'grapheme' }),
  fc.constantFrom('yes', 'no', '1.0', '0x10', '', ' lead', 'trail ', 'a\nb', 'null', '*x', '&a', '!t', '[x]'),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('node'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
})).node;
const doc = fc.dictionary(key, value, { minKeys: 1, maxKeys: 6 });

type Path = (string | number)[];

/** Every path of a value, the root excluded. */
function pathsOf(node: unknown, at: Path = []): Path[] {
  if (Array.isArray(node)) return node.flatMap((child, i) => [[...at, i], ...pathsOf(child, [...at, i])]);
  if (node !== null && typeof node === 'object') {
    return Object.entries(node).flatMap(([k, child]) => [[...at, k], ...pathsOf(child, [...at, k])]);
  }
  return [];
}

/** A random update: set or delete an existing path, or add a key to an object. */
const update = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('set', 'delete', 'add'),
  value,
  key,
});

function apply(
  original: Record<string, unknown>,
  u: { pick: number; op: string; value: unknown; key: string },
) {
  const next = structuredClone(original);
  const paths = pathsOf(next);
  const target = paths[u.pick % paths.length]!;
  const parent = target.slice(0, -1).reduce<Doc>((node, k) => node[k], next);
  const last = target.at(-1)!;
  const node = parent[last];
  if (u.op === 'add' && node !== null && typeof node === 'object' && !Array.isArray(node)) {
    node[u.key] = u.value;
    return { next, path: [...target, u.key], op: 'add' };
  }
  if (u.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
    return { next, path: target, op: 'delete' };
  }
  parent[last] = u.value;
  return { next, path: target, op: 'set' };
}

const sameData = (a: unknown, b: unknown) => {
  // -0 and 0 are one number to JSON.
  assert.deepEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
};

describe('property: random updates of random documents', { timeout: 120_000 }, () => {
  it('JSON, any layout: the update reads back; bytes outside the changed value stay', () => {
    fc.assert(
      fc.property(doc, fc.constantFrom(0, 1, 2, 4, '\t'), update, (original, indent, u) => {
        const before = JSON.stringify(original, null, indent);
        const { next, path: changed, op } = apply(original, u);
        const after = jsonCodec.stringify(next, FILE, before);
        sameData(jsonCodec.parse(after, FILE), next);
        const root = parseTree(before)!;
        // The bytes before and after the changed value (for a set) or its container (otherwise) are kept.
        const node = findNodeAtLocation(root, op === 'set' ? changed : changed.slice(0, -1))!;
        const start = op === 'set' ? node.offset : node.offset + 1;
        const end = node.offset + node.length - (op === 'set' ? 0 : 1);
        assert.ok(after.startsWith(before.slice(0, start)), 'bytes before the change kept');
        assert.ok(after.endsWith(before.slice(end)), 'bytes after the change kept');
      }),
      { numRuns: 400 },
    );
  });

  it('YAML, block and flow styles: the update reads back; bytes outside the changed value stay', () => {
    fc.assert(
      fc.property(
        doc,
        fc.constantFrom(
          {},
          { indent: 4 },
          { collectionStyle: 'flow' as const },
          { defaultStringType: 'QUOTE_SINGLE' as const },
        ),
        update,
        (original, style, u) => {
          const before = yamlStringify(original, { ...style, aliasDuplicateObjects: false });
          const { next, path: changed, op } = apply(original, u);
          const after = yamlCodec.stringify(next, FILE, before);
          sameData(yamlCodec.parse(after, FILE), next);
          const node = parseDocument(before).getIn(op === 'set' ? changed : changed.slice(0, -1), true) as
            | { range: [number, number, number] }
            | undefined;
          if (!node?.range) return;
          const lineStart = before.lastIndexOf('\n', node.range[0] - 1) + 1;
          const keyLine = before.lastIndexOf('\n', lineStart - 2) + 1;
          assert.ok(after.startsWith(before.slice(0, keyLine)), 'bytes before the change kept');
          assert.ok(after.endsWith(before.slice(node.range[2])), 'bytes after the change kept');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('JSON and YAML: any document turned into any other reads back as the other', () => {
    fc.assert(
      fc.property(doc, doc, fc.boolean(), (a, b, flow) => {
        const json = jsonCodec.stringify(b, FILE, JSON.stringify(a, null, flow ? 0 : 2));
        sameData(jsonCodec.parse(json, FILE), b);
        const before = yamlStringify(a, flow ? { collectionStyle: 'flow' } : {});
        sameData(yamlCodec.parse(yamlCodec.stringify(b, FILE, before), FILE), b);
      }),
      { numRuns: 300 },
    );
  });

  it('through openStore: random updates of a file read back as set', async () => {
    await fc.assert(
      fc.asyncProperty(doc, fc.constantFrom('json', 'yaml'), update, async (original, format, u) => {
        const file = path.join(fresh(), `doc.${format}`);
        const text = format === 'json' ? JSON.stringify(original, null, 2) : yamlStringify(original);
        const { writeFileSync } = await import('node:fs');
        writeFileSync(file, text);
        const { next } = apply(original, u);
        const store = openStore<Record<string, unknown>>(file, { durable: false });
        await store.update(() => next);
        sameData(await store.read(), next);
      }),
      { numRuns: 40 },
    );
  });
});
