// What the hostile-folder suite shares: a shared folder (world-writable, sticky, like /tmp), the things
// another user plants in it, a victim file to watch, and children that call locksmith as root and as an
// unprivileged user (test/fixtures/hostile-worker.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Child, spawnChild } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';
import { unprivilegedUnavailable } from '../helpers/unprivileged.js';

/** One call of the worker: an entry point and its arguments. */
export interface HostileCall {
  op: string;
  args: Record<string, unknown>;
}

/** What the worker answers. */
export interface HostileResult {
  ok: boolean;
  code?: string;
  message?: string;
  cause?: string;
  ms: number;
  maxGapMs: number;
}

/** The other user, who plants things: not root, not the unprivileged test user. */
export const ATTACKER = 12345;
export const NOBODY = 65534;
export const isRoot = process.getuid?.() === 0;

/** What can be planted at a path. */
export const KINDS = ['fifo', 'socket', 'folder', 'symlink', 'dangling', 'hardlink', 'mode000'] as const;
export type Kind = (typeof KINDS)[number];
/**
 * What this suite can plant *as another user*: all of it as root (lchown); otherwise only the kinds whose
 * outcome does not depend on who planted them (a link or a mode-000 file of one's own is no attack).
 */
export const PLANTABLE: readonly Kind[] = isRoot ? KINDS : ['fifo', 'socket', 'folder', 'hardlink'];

/** A shared folder `shared` (mode 1777) in `base` (0755, so that every user reaches it), and a victim file. */
export interface Scene {
  base: string;
  shared: string;
  /** A 0600 file of the user running the call, outside the shared folder: what the attacker wants written. */
  victim: string;
}

let counter = 0;
// Made when a test file imports this (at its top level), so that it lasts until the file's end.
const baseRoot = tempDir('locksmith-hostile-');
fs.chmodSync(baseRoot, 0o755);

/** A fresh scene; `uid` owns the victim file (the user the call runs as). */
export function scene(uid: number): Scene {
  const base = path.join(baseRoot, `scene-${counter++}`);
  fs.mkdirSync(base);
  fs.chmodSync(base, 0o755);
  const shared = path.join(base, 'shared');
  fs.mkdirSync(shared);
  fs.chmodSync(shared, 0o1777);
  const victim = path.join(base, 'victim.json');
  fs.writeFileSync(victim, '{"secret":1}\n', { mode: 0o600 });
  if (isRoot) fs.chownSync(victim, uid, uid);
  return { base, shared, victim };
}

/** Put `kind` at `at`, as the attacker would (owned by {@link ATTACKER}; a hard link is the victim's inode). */
export function plant(kind: Kind, at: string, scene: Scene): void {
  switch (kind) {
    case 'fifo':
      assert.equal(spawnSync('mkfifo', ['-m', '666', at]).status, 0, 'mkfifo');
      break;
    case 'socket': {
      const made = spawnSync('python3', [
        '-c',
        'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])',
        at,
      ]);
      assert.equal(made.status, 0, `a unix socket: ${made.stderr}`);
      break;
    }
    case 'folder':
      fs.mkdirSync(at, { mode: 0o777 });
      break;
    case 'symlink':
      fs.symlinkSync(scene.victim, at);
      break;
    case 'dangling':
      fs.symlinkSync(path.join(scene.base, 'created-by-the-link'), at);
      break;
    case 'hardlink':
      fs.linkSync(scene.victim, at);
      return;
    case 'mode000':
      fs.writeFileSync(at, '{}\n', { mode: 0o000 });
      break;
  }
  if (isRoot) fs.lchownSync(at, ATTACKER, ATTACKER);
}

/** What must not change about the victim; and the dangling link's target must never be created. */
export function watchVictim(s: Scene): () => void {
  const before = fs.statSync(s.victim);
  const content = fs.readFileSync(s.victim, 'utf8');
  return () => {
    const after = fs.statSync(s.victim);
    assert.equal(fs.readFileSync(s.victim, 'utf8'), content, 'the victim file was written');
    assert.equal(after.mode, before.mode, 'the victim file was chmod-ed');
    assert.equal(after.uid, before.uid, 'the victim file was chown-ed');
    assert.equal(after.mtimeMs, before.mtimeMs, 'the victim file was touched');
    assert.equal(
      fs.existsSync(path.join(s.base, 'created-by-the-link')),
      false,
      'a dangling link was followed',
    );
    assert.deepEqual(
      fs.readdirSync(s.base).filter((name) => !['shared', 'victim.json', 'elsewhere'].includes(name)),
      [],
      'something was created beside the victim',
    );
  };
}

/** Temp files of atomic writes left anywhere under `dir`. */
export function tempsLeft(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((name) => name.endsWith('.tmp'));
}

/** The users a call runs as: root (when the suite is root) and an unprivileged one, or why it cannot. */
export const RUNNERS = [
  { name: 'as root', uid: 0, skip: isRoot ? false : 'the suite does not run as root' },
  {
    name: 'unprivileged',
    uid: isRoot ? NOBODY : (process.getuid?.() ?? 0),
    skip: unprivilegedUnavailable(),
  },
] as const;

const workers = new Map<number, Promise<Child>>();
let ids = 0;

/** The worker running as `uid` (started once per test file, killed after it). */
function worker(uid: number): Promise<Child> {
  let started = workers.get(uid);
  if (!started) {
    const child = spawnChild('hostile-worker.ts', uid === 0 || !isRoot ? [] : ['--as-nobody']);
    started = child.next('ready', 60_000).then(() => child);
    workers.set(uid, started);
  }
  return started;
}

/** Run `op` as `uid`; rejects if it does not answer within `timeout` ms (a hang). */
export async function callAs(
  uid: number,
  op: string,
  args: Record<string, unknown>,
  timeout = 5_000,
): Promise<HostileResult> {
  const child = await worker(uid);
  const id = ids++;
  child.send({ type: 'call', id, op, args });
  return child.next<HostileResult>(`result-${id}`, timeout);
}

/** The call ended with `expected` (a code, or 'ok'), and the event loop ran all along. */
export function assertOutcome(result: HostileResult, expected: string, what: string): void {
  const got = result.ok ? 'ok' : result.code;
  assert.equal(got, expected, `${what}: ${result.message ?? ''} (cause ${result.cause ?? '-'})`);
  // Generous for a loaded machine: a loop blocked by the call shows as the whole call's length.
  assert.ok(result.maxGapMs < 1_000, `${what}: the event loop stalled for ${Math.round(result.maxGapMs)} ms`);
}

/** One call against a planted thing: where to plant it in the scene, and what to call with. */
export interface PlantedCall {
  /** Prepare the scene (files beside the planted one); returns where to plant and the call's arguments. */
  setUp: (s: Scene) => { at: string; args: Record<string, unknown> };
  op: string;
  /** A code, or 'ok'. */
  expected: string;
  what: string;
}

/**
 * In a fresh scene, plant `kind` where `call.setUp` says, run `call.op` as `uid`, and check the outcome,
 * that the event loop ran, that the victim is untouched and that no temp file is left.
 */
export async function callOnPlanted(uid: number, kind: Kind, call: PlantedCall): Promise<void> {
  const s = scene(uid);
  const { at, args } = call.setUp(s);
  plant(kind, at, s);
  const untouched = watchVictim(s);
  const result = await callAs(uid, call.op, args);
  assertOutcome(result, call.expected, call.what);
  untouched();
  assert.deepEqual(tempsLeft(s.base), [], `${call.what} left a temp file`);
}
