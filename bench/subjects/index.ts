import { cFlock } from './c-flock.js';
import { fdLock } from './fd-lock.js';
import { flockCli } from './flock-cli.js';
import { fsExt } from './fs-ext.js';
import { lease } from './lease.js';
import { lockfile } from './lockfile.js';
import { locksmith } from './locksmith.js';
import { osLock } from './os-lock.js';
import { postgres } from './postgres.js';
import { properLockfile } from './proper-lockfile.js';
import { properLockfileDropIn } from './proper-lockfile-drop-in.js';
import { pythonFilelock } from './python-filelock.js';
import type { NodeSubject, Subject } from './subject.js';

/** Every subject, in table order. A new library is one module in this folder and one line here. */
export const SUBJECTS: readonly Subject[] = [
  locksmith,
  lease,
  postgres,
  cFlock,
  properLockfile,
  properLockfileDropIn,
  lockfile,
  fsExt,
  osLock,
  fdLock,
  pythonFilelock,
  flockCli,
];

/** The subject ratios are taken against: what Node users pick today. */
export const BASELINE = properLockfile.id;
/** The physical limit. */
export const LIMIT = cFlock.id;

export function nodeSubject(id: string): NodeSubject {
  const subject = SUBJECTS.find((s) => s.id === id);
  if (subject?.kind !== 'node') throw new Error(`no Node subject "${id}"`);
  return subject;
}
