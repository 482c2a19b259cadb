import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Subject } from '../subjects/subject.js';
import { BENCH_DIR, ROOT_DIR } from './paths.js';

/** The one-shot program of the Node subjects (plain JavaScript: it imports locksmith from dist/). */
const ONE_SHOT = path.join(BENCH_DIR, 'oneshot.mjs');
/** The subjects the one-shot figures measure. */
export const ONE_SHOT_SUBJECTS = new Set(['locksmith', 'fs-ext', 'proper-lockfile', 'flock-cli']);

let built = false;

/** Build dist/ once per harness run: the one-shot processes import locksmith as a user's program would. */
export function ensureBuilt(): void {
  if (built) return;
  const tsc = createRequire(path.join(ROOT_DIR, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT_DIR, stdio: 'pipe' });
  // As `npm run build` ships it: bundled into a few files (scripts/bundle-dist.js).
  execFileSync(process.execPath, ['scripts/bundle-dist.js'], { cwd: ROOT_DIR, stdio: 'pipe' });
  built = true;
}

export interface OneShot {
  /** From spawning the process to its exit, ms. */
  wallMs: number;
  /** What the Node one-shot program reported (absent for a command such as flock(1)). */
  report?: { importMs: number; lockMs: number; waitMs: number; cpuMs: number };
}

/** Run a command to its end; its wall time, and the last JSON line it printed. */
export function timed(file: string, args: string[], timeout = 60_000): Promise<OneShot> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-1000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - began;
      if (code !== 0) {
        reject(
          new Error(`${path.basename(file)} ${args.join(' ')} ended with ${code ?? signal}: ${err.trim()}`),
        );
        return;
      }
      const line = out.trim().split('\n').at(-1);
      let report: OneShot['report'];
      try {
        report = line ? JSON.parse(line) : undefined;
      } catch {
        report = undefined;
      }
      resolve(report ? { wallMs, report } : { wallMs });
    });
  });
}

/** One one-shot process of `subject` on `target`, holding the lock `holdMs`. */
export function oneShot(subject: Subject, target: string, holdMs: number): Promise<OneShot> {
  if (subject.kind === 'node') return timed(process.execPath, [ONE_SHOT, subject.id, target, String(holdMs)]);
  const { file, args } = subject.command('hold', target, holdMs);
  return timed(file, args);
}

/** The locksmith CLI, as installed (bin/locksmith.cjs on dist/). */
export const CLI = path.join(ROOT_DIR, 'bin', 'locksmith.cjs');
