import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../engine/atomic-file.js';
import type { Logger } from '../engine/logger.js';
import { alive, hasProc, readProc } from './proc.js';
import { stopTree, treeIds, type ProcId, type TreeStop } from './process-tree.js';

/**
 * The stdio servers running now and the processes each one started, in a
 * file in the data folder. A server exits when its stdin closes, which
 * happens even when Vega is killed; one that does not (or a child it left)
 * is found through this file at the next start and stopped.
 */

export interface RunningEntry {
  readonly server: string;
  readonly pid: number;
  /** From /proc: tells our process from a later one that got the same pid. Null where there is no /proc. */
  readonly startTime: number | null;
  /** Its descendants when last looked at: a child outlives its parent in a group of its own, and is still found. */
  readonly tree: readonly ProcId[];
}

export class RunningFile {
  readonly file: string;
  readonly #entries = new Map<number, RunningEntry>();
  #writing: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  add(server: string, pid: number): Promise<void> {
    this.#entries.set(pid, { server, pid, startTime: readProc(pid)?.startTime ?? null, tree: [] });
    return this.#write();
  }

  /** Record the processes under each running server; written only when they changed. */
  track(): Promise<void> {
    if (!hasProc) return this.#writing;
    let changed = false;
    for (const [pid, e] of this.#entries) {
      const tree = treeIds(pid).filter((p) => p.pid !== pid);
      if (JSON.stringify(tree) === JSON.stringify(e.tree)) continue;
      this.#entries.set(pid, { ...e, tree });
      changed = true;
    }
    return changed ? this.#write() : this.#writing;
  }

  remove(pid: number): Promise<void> {
    if (!this.#entries.delete(pid)) return this.#writing;
    return this.#write();
  }

  // One write at a time, each with the whole current list: the last one wins, in order.
  #write(): Promise<void> {
    const text = JSON.stringify({ servers: [...this.#entries.values()] }, null, 2) + '\n';
    this.#writing = this.#writing.catch(() => undefined).then(() => writeFileAtomic(this.file, text));
    return this.#writing;
  }
}

export interface Leftover {
  readonly server: string;
  readonly pid: number;
  readonly stop: TreeStop;
}

/**
 * Stop what a previous run left: for each recorded server, its process if it
 * is still the one recorded (same pid and start time) with its whole group,
 * and every recorded descendant still running. Only where /proc tells a
 * process from a later one with the same pid (Linux).
 */
export async function reapLeftovers(file: string, logger: Logger, graceMs: number): Promise<Leftover[]> {
  let entries: RunningEntry[];
  try {
    entries = (JSON.parse(await readFile(file, 'utf8')) as { servers?: RunningEntry[] }).servers ?? [];
  } catch {
    return [];
  }
  const reap = async (e: RunningEntry): Promise<Leftover | undefined> => {
    const leader = readProc(e.pid);
    const ours = alive(leader) && leader.startTime === e.startTime;
    const known = (e.tree ?? []).filter((k) => {
      const p = readProc(k.pid);
      return alive(p) && p.startTime === k.startTime;
    });
    if (!ours && !known.length) return undefined;
    const stop = await stopTree(e.pid, { quietMs: 0, graceMs }, { known, group: ours });
    logger.warn(
      { mcpServer: e.server, pid: e.pid, processes: known.length + (ours ? 1 : 0), outcome: stop.outcome, ms: stop.ms },
      `MCP server "${e.server}" (pid ${e.pid}) had processes still running from a previous run of Vega; stopped them`,
    );
    return { server: e.server, pid: e.pid, stop };
  };
  // All at once: the start waits for the slowest one's grace, not for the sum.
  const reaped = hasProc ? (await Promise.all(entries.map(reap))).filter((r): r is Leftover => r !== undefined) : [];
  await writeFileAtomic(file, JSON.stringify({ servers: [] }) + '\n');
  return reaped;
}
