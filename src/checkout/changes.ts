import type { Stats } from 'node:fs';
import path from 'node:path';
import { ownHostname } from '../host.js';
import type { AuditEvent, NewAuditEvent, NewReleaseEvent } from './audit-log.js';
import type { Confined } from './confine-path.js';
import { CheckoutConflictError, CheckoutModeError } from './errors.js';
import { restoreMode, setWritable } from './file-mode.js';
import { fileStatus, holderOf, statFile, walk } from './files.js';
import type { CheckoutRecord, RegistryData } from './registry-file.js';
import type { FileStatus, ProtectResult, ReleaseResult } from './types.js';

// The check-out registry's changes: what each call does to the registry's draft, the audit line it
// appends and how its side effects (a file's mode) are undone. The registry (registry.ts) runs each one
// inside its transaction: under the registry's lock, then one atomic write of the registry; if that
// write fails after the audit line, it calls `undo` and appends a `reverted` line.

/** What a change under the lock leaves to do if the registry write then fails. */
export interface Change<R> {
  result: R;
  event?: AuditEvent;
  undo?: () => Promise<void>;
}

/** What the changes need of the registry. */
export interface ChangeContext {
  /** Whether files are read-only until checked out, in this registry's state. */
  readOnlyIn(registry: RegistryData): boolean;
  /** Append one audit line. */
  append(event: NewAuditEvent): Promise<AuditEvent>;
}

export function errorCode(error: unknown): string {
  return (error as { code?: unknown } | null)?.code?.toString() ?? 'ERROR';
}

/** Check out `target` for `owner` (already yours with the same message: no change, no audit line). */
export async function checkoutChange(
  context: ChangeContext,
  draft: RegistryData,
  target: Confined,
  stats: Stats,
  owner: string,
  message: string | undefined,
): Promise<Change<FileStatus>> {
  const current = draft.checkouts[target.name];
  if (current && current.owner !== owner) {
    throw new CheckoutConflictError(target.name, holderOf(current), owner);
  }
  if (current && (message === undefined || message === current.message)) {
    // Already yours: nothing changes, nothing to record.
    return { result: fileStatus(target.name, stats, current) };
  }
  let undo: (() => Promise<void>) | undefined;
  if (context.readOnlyIn(draft)) {
    try {
      const before = await setWritable(target.path, true);
      undo = () => restoreMode(target.path, before);
    } catch (error) {
      throw new CheckoutModeError(target.name, error);
    }
  }
  const now = new Date();
  const record: CheckoutRecord = {
    owner,
    message: message ?? '',
    // The same instant as the audit line, so the two can be matched.
    checkedOutAt: current?.checkedOutAt ?? now.toISOString(),
    host: ownHostname(),
    pid: process.pid,
  };
  try {
    const event = await context.append({
      at: now,
      event: 'checkout',
      file: target.name,
      owner,
      by: owner,
      message: record.message,
    });
    draft.checkouts[target.name] = record;
    return { result: fileStatus(target.name, stats, record), event, ...(undo ? { undo } : {}) };
  } catch (error) {
    await undo?.().catch(() => {});
    throw error;
  }
}

/** End a check-out: remove it from the draft, make the file read-only in that mode, record `kind`. */
export async function releaseChange(
  context: ChangeContext,
  draft: RegistryData,
  name: string,
  absolute: string,
  event: NewReleaseEvent,
): Promise<Change<ReleaseResult>> {
  const current = draft.checkouts[name]!;
  let undo: (() => Promise<void>) | undefined;
  let modeWarning: string | undefined;
  if (context.readOnlyIn(draft) && (await statFile(absolute))) {
    try {
      const before = await setWritable(absolute, false);
      undo = () => restoreMode(absolute, before);
    } catch (error) {
      modeWarning = `${name} could not be made read-only (${errorCode(error)})`;
    }
  }
  try {
    const written = await context.append({ ...event, checkedOutAt: new Date(current.checkedOutAt) });
    delete draft.checkouts[name];
    const result: ReleaseResult = {
      file: name,
      previous: holderOf(current),
      event: written,
      ...(modeWarning === undefined ? {} : { modeWarning }),
    };
    return { result, event: written, ...(undo ? { undo } : {}) };
  } catch (error) {
    await undo?.().catch(() => {});
    throw error;
  }
}

/** Make every file not checked out read-only (those matching `extension`), and remember the setting. */
export async function protectChange(
  draft: RegistryData,
  root: string,
  extension: string | undefined,
): Promise<Change<ProtectResult>> {
  const files = new Map<string, Stats>();
  await walk(root, root, files);
  const result: ProtectResult = { madeReadOnly: [], failed: [] };
  const undone: (() => Promise<void>)[] = [];
  for (const [name, stats] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (draft.checkouts[name] || (stats.mode & 0o222) === 0) continue;
    if (extension !== undefined && !name.toLowerCase().endsWith(extension)) continue;
    const file = path.join(root, name);
    try {
      const before = await setWritable(file, false);
      undone.push(() => restoreMode(file, before));
      result.madeReadOnly.push(name);
    } catch (error) {
      result.failed.push({ file: name, code: errorCode(error) });
    }
  }
  draft.readOnlyUntilCheckedOut = true;
  return {
    result,
    undo: async () => {
      for (const undo of undone) await undo().catch(() => {});
    },
  };
}
