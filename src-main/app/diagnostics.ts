import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LogLine, LogQuery } from '../../src-shared/contract.js';
import { logFiles } from '../engine/logger.js';
import { PRIVATE_FILE_MODE, privateDir } from '../engine/private-files.js';
import type { ResourceManager } from '../engine/resource-manager.js';

const LEVELS: Record<number, LogLine['level']> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const LEVEL_RANK = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

/** The newest log lines, newest first, filtered by minimum level and request id. */
export async function readLogs(rm: ResourceManager, q: LogQuery = {}): Promise<LogLine[]> {
  const limit = q.limit ?? 1000;
  const minRank = LEVEL_RANK[q.level ?? 'trace'];
  const out: LogLine[] = [];
  for (const file of logFiles(rm.logDir).reverse()) {
    const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n');
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      const line = parse(lines[i] ?? '');
      if (!line || LEVEL_RANK[line.level] < minRank) continue;
      if (q.requestId && line.requestId !== q.requestId) continue;
      out.push(line);
    }
    if (out.length >= limit) break;
  }
  return out;
}

function parse(text: string): LogLine | undefined {
  if (!text) return undefined;
  try {
    const { level, time, msg, requestId, ...rest } = JSON.parse(text) as Record<string, unknown>;
    return {
      level: LEVELS[level as number] ?? 'info',
      time: typeof time === 'number' ? time : 0,
      msg: typeof msg === 'string' ? msg : '',
      requestId: typeof requestId === 'string' ? requestId : null,
      fields: rest,
    };
  } catch {
    return undefined; // a torn last line of a crashed run
  }
}

/**
 * One JSON file a person can attach to a bug report: stats, health, recent
 * requests and the last 1000 log lines. The log lines are already scrubbed
 * of secrets when written; the stats hold none.
 */
/** Where "Export diagnostics" writes; tightened at start like the history and the logs. */
export function diagnosticsDir(rm: ResourceManager): string {
  return path.join(rm.dataDir, 'diagnostics');
}

export async function exportDiagnostics(rm: ResourceManager, extra: Record<string, unknown> = {}): Promise<string> {
  const dir = diagnosticsDir(rm);
  await privateDir(dir, { contents: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `vega-diagnostics-${stamp}.json`);
  const report = {
    generatedAt: new Date().toISOString(),
    platform: { os: process.platform, arch: process.arch, node: process.versions.node, electron: process.versions.electron ?? null },
    health: rm.health(),
    snapshot: rm.snapshot(),
    recentRequests: rm.recentRequests(),
    ...extra,
    logs: await readLogs(rm, { limit: 1000 }),
  };
  await writeFile(file, JSON.stringify(report, null, 2), { mode: PRIVATE_FILE_MODE });
  return file;
}
