import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BENCH_DIR } from '../lib/paths.js';

/**
 * What a worker process is asked to do. Every subject's worker program (bench/worker.ts for the Node
 * libraries, flock-bench.c, filelock_bench.py) takes `TASK TARGET [N]` and speaks JSON lines on stdout;
 * the lock file is always `TARGET.lock`, and TARGET holds the JSON counter `{"count":N}`.
 */
export type Task = 'uncontended' | 'contended' | 'hold' | 'wait' | 'idle' | 'threadpool';

/** Releases a lock taken by {@link Locker.acquire}. */
export type Release = () => unknown;

/** One library's way to take the lock of a target and wait for it, configured as ANCHORS.md says is fair. */
export interface Locker {
  acquire(): Promise<Release>;
}

interface SubjectBase {
  /** Short name, used on the command line (`--subjects`) and by the worker. */
  readonly id: string;
  /** Name in tables and the chart. */
  readonly label: string;
  /** The version measured, when it has one. */
  version(): string | undefined;
  /** How it locks and waits, in a few words. */
  readonly mechanism: string;
  /** Resolves `undefined` when the subject can run here, or the reason it is skipped. Runs in the harness. */
  probe(): Promise<string | undefined>;
}

/** A Node library, run inside bench/worker.ts. */
export interface NodeSubject extends SubjectBase {
  readonly kind: 'node';
  /** Runs inside the worker process. */
  open(target: string): Locker | Promise<Locker>;
}

/** A program of its own (C, Python): the harness starts it with `TASK TARGET [N]`. */
export interface ExternalSubject extends SubjectBase {
  readonly kind: 'external';
  /** Tasks it implements; the Node-only figures (threadpool health) skip it. */
  readonly tasks: readonly Task[];
  /** The only figures it takes part in (by id), when it is not a library the other figures can drive. */
  readonly figures?: readonly string[];
  command(task: Task, target: string, n: number): { file: string; args: string[] };
}

export type Subject = NodeSubject | ExternalSubject;

const requireFromBench = createRequire(path.join(BENCH_DIR, 'package.json'));

/**
 * Load an anchor installed in bench/node_modules by `npm run bench` (never a dependency of locksmith).
 * Typed by the caller: the anchors' types are not installed for the type checker.
 */
export function anchor<T>(name: string): T {
  return requireFromBench(name) as T;
}

/** The version of an installed anchor, or `undefined` when it is not installed. */
export function anchorVersion(name: string): string | undefined {
  try {
    const manifest = path.join(BENCH_DIR, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** A probe for an anchor: installed, and (for native ones) its addon loads. */
export async function probeAnchor(name: string): Promise<string | undefined> {
  try {
    anchor(name);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'MODULE_NOT_FOUND'
      ? `${name} is not installed in bench/node_modules (its install or native build failed)`
      : `${name} does not load: ${String(error).split('\n')[0]}`;
  }
}
