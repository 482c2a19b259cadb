import path from 'node:path';
import type { Command } from 'commander';
import { inspect, type LockStatus } from '../lock/inspect.js';
import { type Cli, paint } from './context.js';
import { errorMessage, escapeControl, terminalJson } from './escape.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { describeHolder, displayPath } from './format.js';

interface StatusOptions {
  json?: true;
  lockfile?: string[];
}

/** One entry of `status --json`. */
export interface StatusEntry {
  path: string;
  lockfile: string;
  locked: boolean;
  /** `since` is absent for a holder that recorded nothing about itself (named by the kernel). */
  holder?: { pid: number; hostname: string; command: string; since?: string };
}

function toEntry(target: string, status: LockStatus): StatusEntry {
  const entry: StatusEntry = { path: target, lockfile: status.lockfilePath, locked: status.locked };
  if (status.locked && status.holder) {
    const { pid, hostname, command, since } = status.holder;
    entry.holder = { pid, hostname, command, ...(since ? { since: since.toISOString() } : {}) };
  }
  return entry;
}

function describe(cli: Cli, target: string, status: LockStatus): string {
  const name = escapeControl(displayPath(target));
  if (!status.locked) return `${name}: ${paint(cli.stdout, 'green', 'free')}\n`;
  const mode = status.mode ? ` (${status.mode})` : '';
  return `${name}: ${paint(cli.stdout, 'red', 'locked')}${mode}, ${escapeControl(describeHolder(status.holder))}\n`;
}

/** `locksmith status [--json] [--lockfile <file>]... [path...]`: who holds what, without taking anything. */
export function registerStatus(program: Command, cli: Cli): void {
  program
    .command('status')
    .summary('tell whether files are locked, and by whom')
    .description(
      'Tell, for each <path> (lock file <path>.lock) and each --lockfile, whether it is locked and by ' +
        'whom (pid, host, command, since). Takes no lock, except a probe of a microsecond.',
    )
    .argument('[path...]', 'files whose locks to show')
    .option('--json', 'print a JSON array, one { path, lockfile, locked, holder? } object per lock')
    .option('--lockfile <file>', 'show this exact lock file (repeatable)', (v, all: string[] | undefined) => [
      ...(all ?? []),
      v,
    ])
    .addHelpText(
      'after',
      `
Exit status: 0 when every lock could be inspected, whether locked or free; 64 for a usage error;
otherwise the lock error statuses listed in "locksmith run --help".

A holder is shown when it recorded itself (locksmith and its library do); a lock taken by another tool,
such as util-linux flock, shows as locked with no holder.`,
    )
    .action(async (paths: string[], options: StatusOptions, command: Command) => {
      const targets: { path: string; lockfilePath?: string }[] = [
        ...paths.map((p) => ({ path: path.resolve(p) })),
        ...(options.lockfile ?? []).map((f) => ({ path: path.resolve(f), lockfilePath: path.resolve(f) })),
      ];
      if (targets.length === 0) {
        command.error('error: give at least one <path> or --lockfile', { exitCode: EXIT.USAGE });
      }
      const results: { target: string; status: LockStatus }[] = [];
      for (const target of targets) {
        try {
          const status = await inspect(
            target.path,
            target.lockfilePath ? { lockfilePath: target.lockfilePath } : {},
          );
          results.push({ target: target.path, status });
        } catch (error) {
          // Print nothing on stdout rather than a partial answer a script could take for a whole one.
          cli.stderr.write(`locksmith: ${errorMessage(error)}\n`);
          cli.exitCode = exitCodeFor(error);
          return;
        }
      }
      if (options.json) {
        const entries = results.map((r) => toEntry(r.target, r.status));
        cli.stdout.write(`${terminalJson(entries)}\n`);
      } else {
        for (const r of results) cli.stdout.write(describe(cli, r.target, r.status));
      }
    });
}
