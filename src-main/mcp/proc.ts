import { readdirSync, readFileSync } from 'node:fs';

/**
 * What Linux's /proc says about processes: enough to find every process a
 * server started (its process group, and its descendants by parent), to tell
 * a pid from a later process that reuses it (the start time), and to add up
 * the memory and CPU of a server's tree. Elsewhere these return null and
 * the callers fall back to signals alone.
 */

export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** R, S, D, Z (a zombie: exited, not yet reaped), … */
  readonly state: string;
  /** Clock ticks after boot: with the pid, names one process for good. */
  readonly startTime: number;
  /** User + system CPU time, clock ticks. */
  readonly cpuTicks: number;
}

/** /proc's clock ticks per second (USER_HZ, 100 on every Linux Vega runs on). */
const TICKS_PER_S = 100;

export const hasProc = ((): boolean => {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
})();

/** One process, or null when it does not exist (or /proc does not). */
export function readProc(pid: number): ProcInfo | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces and parentheses itself: the fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: f[0] ?? '?',
    ppid: Number(f[1]),
    pgid: Number(f[2]),
    cpuTicks: Number(f[11]) + Number(f[12]),
    startTime: Number(f[19]),
  };
}

/** Every process now, or null without /proc. */
export function listProcs(): ProcInfo[] | null {
  if (!hasProc) return null;
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) out.push(p);
  }
  return out;
}

/** A process that runs (a zombie has exited: it only waits for its parent to read its status). */
export function alive(p: ProcInfo | null): p is ProcInfo {
  return p !== null && p.state !== 'Z' && p.state !== 'X';
}

/**
 * The processes that belong to a server started as the leader of group
 * `pgid`: the group's members and every descendant of `rootPid`, even one
 * that moved to a group of its own. Zombies are left out.
 */
export function treeOf(procs: readonly ProcInfo[], rootPid: number, pgid = rootPid): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const found = new Map<number, ProcInfo>();
  for (const p of procs) if (p.pgid === pgid) found.set(p.pid, p);
  const queue = [...found.values(), ...procs.filter((p) => p.pid === rootPid)];
  while (queue.length) {
    const p = queue.pop()!;
    found.set(p.pid, p);
    for (const c of children.get(p.pid) ?? []) if (!found.has(c.pid)) queue.push(c);
  }
  return [...found.values()].filter(alive);
}

/** Resident memory of one process, bytes; 0 when it is gone. */
function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface TreeFigures {
  readonly processes: number;
  readonly memoryBytes: number | null;
  readonly cpuPercent: number | null;
}

/**
 * Memory and CPU of one server's process tree. CPU is a rate: the ticks used
 * since the previous sample over the time between; the first sample has none.
 */
export class TreeSampler {
  #last: { pid: number; ticks: number; at: number } | undefined;

  sample(procs: readonly ProcInfo[] | null, rootPid: number | null): TreeFigures {
    if (rootPid === null) {
      this.#last = undefined;
      return { processes: 0, memoryBytes: null, cpuPercent: null };
    }
    if (!procs) return { processes: 1, memoryBytes: null, cpuPercent: null };
    const tree = treeOf(procs, rootPid);
    const ticks = tree.reduce((n, p) => n + p.cpuTicks, 0);
    const at = performance.now();
    const prev = this.#last?.pid === rootPid ? this.#last : undefined;
    this.#last = { pid: rootPid, ticks, at };
    const seconds = prev ? (at - prev.at) / 1000 : 0;
    const cpuPercent = prev && seconds > 0 ? Math.max(0, Math.round(((ticks - prev.ticks) / TICKS_PER_S / seconds) * 1000) / 10) : null;
    return { processes: tree.length, memoryBytes: tree.reduce((n, p) => n + rssBytes(p.pid), 0), cpuPercent };
  }
}
