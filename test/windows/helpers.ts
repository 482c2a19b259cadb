// Helpers of the Windows suite: child processes over IPC (plain Node, the fixtures being compiled to
// JavaScript), temporary folders, deadlines. Children are killed after each test file.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill();
});

export interface Worker {
  readonly pid: number;
  readonly process: ChildProcess;
  send(message: Record<string, unknown>): void;
  /** The next message of that type; rejects after `timeout` ms or when the child exits first. */
  next(type: string, timeout?: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
}

/** Fork test/windows/fixtures/worker.js and wait for its 'ready'. */
export async function worker(): Promise<Worker> {
  const proc = fork(path.join(here, 'fixtures', 'worker.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(proc);
  after(() => {
    proc.kill();
  });
  const inbox: Record<string, unknown>[] = [];
  const waiters: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  proc.on('message', (raw) => {
    const message = raw as Record<string, unknown>;
    const index = waiters.findIndex((w) => w.type === message.type || message.type === 'error');
    if (index >= 0) waiters.splice(index, 1)[0]?.resolve(message);
    else inbox.push(message);
  });
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      live.delete(proc);
      resolve(code);
    }),
  );
  const self: Worker = {
    pid: proc.pid ?? -1,
    process: proc,
    exited,
    send: (message) => proc.send(message),
    next(type, timeout = 60_000) {
      const index = inbox.findIndex((m) => m.type === type || m.type === 'error');
      const found = index >= 0 ? inbox.splice(index, 1)[0] : undefined;
      if (found) return found.type === 'error' ? Promise.reject(childError(found)) : Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const entry = {
          type,
          resolve: (m: Record<string, unknown>) => {
            clearTimeout(timer);
            if (m.type === 'error') reject(childError(m));
            else resolve(m);
          },
        };
        waiters.push(entry);
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(entry), 1);
          reject(new Error(`no "${type}" from child ${proc.pid} within ${timeout} ms`));
        }, timeout);
        void exited.then((code) => {
          if (!waiters.includes(entry)) return;
          waiters.splice(waiters.indexOf(entry), 1);
          clearTimeout(timer);
          reject(new Error(`child ${proc.pid} exited (${code}) before "${type}"`));
        });
      });
    },
  };
  await self.next('ready');
  return self;
}

function childError(m: Record<string, unknown>): Error {
  return Object.assign(new Error(`child: ${String(m.code)} ${String(m.message)}`), { code: m.code });
}

/**
 * A fresh folder under the OS temp folder (C:\users\...\Temp under Wine), removed after the file's tests
 * where it can be: the kernel backend keeps idle lock file descriptors open, and a file deleted while open
 * stays listed ("delete pending") until they close, so the folder may not be empty yet.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Left for the OS's temp cleanup (see above).
    }
  });
  return dir;
}

export function subDir(base: string, name: string): string {
  const dir = path.join(base, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Resolves when `check()` is true, polling every 10 ms; rejects after `timeout` ms. */
export async function until(check: () => boolean, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
