import fs from 'node:fs';
import { ownHostname, processGone } from '../../../host.js';

/**
 * Who a process is, well enough to tell "dead" from "alive" on this host even after its pid was reused:
 * on Linux `<boot id>/<pid namespace>/<start time in clock ticks since boot>` (field 22 of
 * /proc/<pid>/stat). The raw tick count is compared, never converted, so CLK_TCK does not matter.
 * `undefined` where the platform gives no start time (then only `process.kill(pid, 0)` is asked).
 */
export type ProcessStart = string;

let bootAndNamespace: string | null | undefined;

function linuxPrefix(): string | null {
  if (bootAndNamespace !== undefined) return bootAndNamespace;
  bootAndNamespace = null;
  if (process.platform !== 'linux') return null;
  try {
    const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const namespace = fs.readlinkSync('/proc/self/ns/pid');
    if (boot && namespace) bootAndNamespace = `${boot}/${namespace}`;
  } catch {
    // No /proc (a sandbox, a container without it): fall back to kill(pid, 0).
  }
  return bootAndNamespace;
}

interface StatLine {
  state: string;
  startTicks: string;
}

/** Fields 3 (state) and 22 (starttime) of /proc/<pid>/stat; `undefined` when there is no such process. */
function readStat(pid: number): StatLine | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command (field 2) is in parentheses and may itself contain spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTicks = fields[19];
  if (!state || !startTicks) return undefined;
  return { state, startTicks };
}

let own: ProcessStart | null | undefined;

/** This process's start identity, computed once. */
export function ownStart(): ProcessStart | undefined {
  if (own === undefined) {
    const prefix = linuxPrefix();
    const stat = prefix ? readStat(process.pid) : undefined;
    own = prefix && stat ? `${prefix}/${stat.startTicks}` : null;
  }
  return own ?? undefined;
}

/** What this host can prove about the process that wrote a marker. */
export type Liveness = 'dead' | 'alive' | 'unknown';

/**
 * Whether the process that wrote a marker is provably dead or provably alive, with one look at /proc.
 * Only a process of this host (same hostname) can be judged. Dead: no such pid, a zombie, or a pid now
 * used by a process that started at another time. Alive (Linux only, where the start time proves it is
 * the same process): the pid runs with the recorded start time. Anything we cannot prove (another host,
 * another pid namespace, another boot with the same hostname, hidden /proc entries, a live pid elsewhere
 * than Linux, which may be a reused one) is `'unknown'`: then only the lease decides.
 */
export function liveness(owner: { pid: number; hostname: string; start?: unknown }): Liveness {
  if (owner.hostname !== ownHostname()) return 'unknown';
  if (!Number.isSafeInteger(owner.pid) || owner.pid <= 0) return 'unknown';
  const prefix = linuxPrefix();
  if (prefix && typeof owner.start === 'string') {
    const cut = owner.start.lastIndexOf('/');
    // Another boot or pid namespace with our hostname may be another machine or container: not provable.
    if (cut < 0 || owner.start.slice(0, cut) !== prefix) return 'unknown';
    const stat = readStat(owner.pid);
    // /proc may hide other users' processes (hidepid=2): a missing entry is death only if kill agrees.
    if (!stat) return processGone(owner.pid) ? 'dead' : 'unknown';
    if (stat.state === 'Z' || stat.state === 'X') return 'dead';
    return stat.startTicks === owner.start.slice(cut + 1) ? 'alive' : 'dead';
  }
  if (prefix) {
    // A Linux host that recorded no start time: the writer was not on this host's /proc view.
    return 'unknown';
  }
  // Alive, or perhaps a reused pid: then the lease decides, later.
  return processGone(owner.pid) ? 'dead' : 'unknown';
}
