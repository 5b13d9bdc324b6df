import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDeadline } from '../engine/deadline.js';
import { alive, hasProc, listProcs, readProc, treeOf } from './proc.js';

/**
 * Ending a server's whole process tree: its process group (it was started
 * as the leader of its own), and every descendant found under it, even one
 * that left the group. Each stage is bounded; the last one is SIGKILL.
 */

export interface TreeStop {
  /** How it ended: on its own (stdin closed), at SIGTERM, at SIGKILL, or not at all (`left`: still there after SIGKILL). */
  readonly outcome: 'exited' | 'terminated' | 'killed' | 'left';
  readonly ms: number;
}

export interface TreeStopOptions {
  /** How long the tree may take to exit by itself (its stdin was closed) before SIGTERM. */
  readonly quietMs: number;
  /** How long SIGTERM is given before SIGKILL. */
  readonly graceMs: number;
}

/** Bound of the wait after SIGKILL, which the kernel carries out at once. */
const KILL_WAIT_MS = 1_000;
const POLL_MS = 20;

/** A process named for good: its pid and its start time. */
export interface ProcId {
  readonly pid: number;
  readonly startTime: number;
}

export interface TreeScope {
  /** Processes known to belong to the tree already (recorded earlier, when their parent was alive). */
  readonly known?: readonly ProcId[];
  /**
   * Whether `root` is still our process, so its process group is ours to
   * signal. Not after a restart of Vega when the leader is gone: its pid may
   * lead someone else's group by now; then only known processes are signalled.
   */
  readonly group?: boolean;
}

/** Processes found so far, by pid and start time: a pid reused later by another process is not ours. */
class Tree {
  readonly #known = new Map<number, number>();
  readonly #root: number;
  readonly #group: boolean;

  constructor(root: number, scope: TreeScope = {}) {
    this.#root = root;
    this.#group = scope.group ?? true;
    for (const k of scope.known ?? []) this.#known.set(k.pid, k.startTime);
    this.refresh();
  }

  /** The tree's live processes now; newly forked ones join. Without /proc: whether the group still exists. */
  refresh(): number[] {
    if (!hasProc) return this.#group && groupExists(this.#root) ? [this.#root] : [];
    const procs = listProcs() ?? [];
    const found = this.#group ? treeOf(procs, this.#root) : [];
    for (const p of found) if (!this.#known.has(p.pid)) this.#known.set(p.pid, p.startTime);
    const live: number[] = [];
    for (const [pid, start] of this.#known) {
      const p = readProc(pid);
      if (alive(p) && p.startTime === start) live.push(pid);
      else this.#known.delete(pid);
    }
    return live;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.#group) kill(-this.#root, sig);
    for (const pid of this.refresh()) kill(pid, sig);
  }
}

function kill(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // ESRCH: already gone; EPERM: not ours to signal
  }
}

function groupExists(pgid: number): boolean {
  return kill(-pgid, 0);
}

/** Poll `cond` until it holds or `ms` pass; true when it held. */
async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  return withDeadline(
    ms,
    async (signal) => {
      while (!cond()) await sleep(POLL_MS, undefined, { signal });
      return true;
    },
    { onLate: () => cond() },
  );
}

/**
 * Stop the tree rooted at `root` (also its group id): wait `quietMs` for it
 * to go by itself, then SIGTERM, `graceMs`, SIGKILL. Resolves when none of
 * it is left, or after the bounded wait that follows SIGKILL.
 */
export async function stopTree(root: number, opts: TreeStopOptions, scope?: TreeScope): Promise<TreeStop> {
  const start = performance.now();
  const tree = new Tree(root, scope);
  const done = (outcome: TreeStop['outcome']): TreeStop => ({ outcome, ms: Math.round(performance.now() - start) });
  const gone = () => tree.refresh().length === 0;
  if (await waitUntil(gone, opts.quietMs)) return done('exited');
  tree.signal('SIGTERM');
  if (await waitUntil(gone, opts.graceMs)) return done('terminated');
  tree.signal('SIGKILL');
  return done((await waitUntil(gone, KILL_WAIT_MS)) ? 'killed' : 'left');
}

/**
 * Windows has neither process groups nor signals: the server gets `quietMs`
 * to exit once its stdin is closed, then `taskkill /T /F` ends it and every
 * process under it.
 */
export async function stopTreeWindows(pid: number, exited: Promise<unknown>, opts: TreeStopOptions): Promise<TreeStop> {
  const start = performance.now();
  const done = (outcome: TreeStop['outcome']): TreeStop => ({ outcome, ms: Math.round(performance.now() - start) });
  const exitsWithin = (ms: number) => withDeadline(ms, () => exited.then(() => true), { onLate: () => false });
  if (await exitsWithin(opts.quietMs)) return done('exited');
  spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => undefined);
  return done((await exitsWithin(opts.graceMs + KILL_WAIT_MS)) ? 'killed' : 'left');
}

/** The processes of the tree now, for the record kept in case Vega is killed (see running-file). */
export function treeIds(root: number): ProcId[] {
  return treeOf(listProcs() ?? [], root).map((p) => ({ pid: p.pid, startTime: p.startTime }));
}

/** Kill at once, synchronously: the last resort when the process is exiting and cannot wait. */
export function killTreeNow(root: number): void {
  new Tree(root).signal('SIGKILL');
}
