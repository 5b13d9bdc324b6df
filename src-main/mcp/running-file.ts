import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../engine/atomic-file.js';
import type { Logger } from '../engine/logger.js';
import { alive, hasProc, listProcs, readProc } from './proc.js';
import { stopTree, type TreeStop } from './process-tree.js';

/**
 * The stdio servers running now, in a file in the data folder. A server
 * exits when its stdin closes, which happens even when Vega is killed; one
 * that does not is found through this file at the next start and stopped.
 */

export interface RunningEntry {
  readonly server: string;
  readonly pid: number;
  /** From /proc: tells our process from a later one that got the same pid. Null where there is no /proc. */
  readonly startTime: number | null;
}

export class RunningFile {
  readonly file: string;
  readonly #entries = new Map<number, RunningEntry>();
  #writing: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  add(server: string, pid: number): Promise<void> {
    this.#entries.set(pid, { server, pid, startTime: readProc(pid)?.startTime ?? null });
    return this.#write();
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

export interface Leftover extends RunningEntry {
  readonly stop: TreeStop;
}

/**
 * Stop what a previous run left: each recorded server whose process is still
 * the one recorded (same pid and start time), with its whole tree; and where
 * the leader is gone, whatever still runs in its process group. Only on
 * Linux: elsewhere a bare pid could name someone else's process by now.
 */
export async function reapLeftovers(file: string, logger: Logger): Promise<Leftover[]> {
  let entries: RunningEntry[];
  try {
    entries = (JSON.parse(await readFile(file, 'utf8')) as { servers?: RunningEntry[] }).servers ?? [];
  } catch {
    return [];
  }
  const reaped: Leftover[] = [];
  if (hasProc) {
    for (const e of entries) {
      const leader = readProc(e.pid);
      const ours = alive(leader) ? leader.startTime === e.startTime : (listProcs() ?? []).some((p) => p.pgid === e.pid && alive(p));
      if (!ours) continue;
      const stop = await stopTree(e.pid, { quietMs: 0, graceMs: 1_000 });
      reaped.push({ ...e, stop });
      logger.warn({ mcpServer: e.server, pid: e.pid, outcome: stop.outcome, ms: stop.ms }, `MCP server "${e.server}" (pid ${e.pid}) was still running from a previous run; stopped it`);
    }
  }
  await writeFileAtomic(file, JSON.stringify({ servers: [] }) + '\n');
  return reaped;
}
